/// TR604: reported when the state (or its journal) cannot be trusted.
package enum UnusableStateRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR604", severity: .error,
        title: "state unreadable, of an unknown format version, or failing its checksum: nothing is written",
        rationale: """
            State is tresor's only record of what exists. A state that cannot be read, that a newer tresor \
            wrote in a format this one does not know, or whose checksum does not match its contents (a \
            damaged disk, a bad merge, a hand edit) would make every resource look new or gone, and a plan \
            against it would recreate or delete the estate. tresor stops before writing anything: the state, \
            its backup and its journal stay byte for byte as they were, so the previous version can be \
            restored from `<state>.backup`. This is about files, not manifests, so it has no manifest \
            examples: the test suite covers it with scenarios.
            """,
        source: "tresor (SPEC §3)",
        triggering: [], nonTriggering: [])
}
