/// TR603: reported by plan and apply when another run holds the state lock.
package enum StateLockRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR603", severity: .error,
        title: "state is locked by another run",
        rationale: """
            Two runs that plan or apply against one state at once would each compute changes from a state \
            the other is changing, and the later write would lose the earlier one's record. plan and apply \
            take an operating-system lock on `<state>.lock` (flock), which the kernel releases when the \
            holding process ends, even by SIGKILL, and write beside it who holds it: lock ID, operation, \
            user, host, process ID and since when. The message names them; `tresor unlock LOCK-ID` removes \
            a lock record whose holder is gone. This is about files, not manifests, so it has no manifest \
            examples: the test suite covers it with scenarios.
            """,
        source: "Terraform (state locking)",
        triggering: [], nonTriggering: [])
}
