/// TR602: reported by apply when a saved plan no longer matches the state.
package enum StalePlanRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR602", severity: .error,
        title: "saved plan is stale: state lineage or serial changed since it was made",
        rationale: """
            `plan --out FILE` records the lineage and serial of the state it was made against, and \
            `apply FILE` applies exactly the recorded actions. If the state was written since (another apply, \
            or the recovery of an interrupted one) or is another state altogether (another lineage), those \
            actions were computed from facts that no longer hold: applying them could undo someone else's \
            change or delete what the reviewer never saw. The plan is refused; make a new one. This is about \
            files, not manifests, so it has no manifest examples: the test suite covers it with scenarios.
            """,
        source: "Terraform (\"Saved plan is stale\")",
        triggering: [], nonTriggering: [])
}
