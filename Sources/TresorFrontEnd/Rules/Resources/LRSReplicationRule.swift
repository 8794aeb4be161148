import TresorModel

/// TR106: a note on locally redundant vaults.
enum LRSReplicationRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR106", severity: .note,
        title: "LRS vault: GRS is recommended when the vault is the primary backup",
        rationale: """
            Locally redundant storage keeps every copy in one region: a regional outage takes the recovery \
            points with it. LRS is the cheaper option, fine for secondary copies; for a vault that is the \
            primary backup Microsoft recommends GRS, the default. Replication can no longer be changed once \
            the vault holds backup items, so decide before the first VM is protected.
            """,
        source: #"seeds 000, 001, 002 ("If the vault is your primary backup mechanism, we recommend GRS")"#,
        triggering: [
            Example.vault("rsv-prod-weu", "replication: ↓LRS")
        ],
        nonTriggering: [
            Example.vault("rsv-prod-weu"),
            Example.vault("rsv-prod-weu", "replication: GRS")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for vault in context.estate.vaults {
            guard let replication = vault.replication, replication.value == .LRS else { continue }
            diagnostics.append(
                diagnostic(
                    "vault \"\(vault.name.value)\" uses locally redundant storage",
                    at: replication.range,
                    help: "use `replication: GRS` if this vault is your primary backup"))
        }
    }
}
