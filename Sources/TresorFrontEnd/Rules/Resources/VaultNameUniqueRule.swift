import TresorModel

/// TR102: one vault name per subscription. Vaults with the very same identity are TR009 and
/// reach the rules once, so what is left here are vaults of one name in different resource groups.
enum VaultNameUniqueRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR102", severity: .error,
        title: "vault name not unique within its subscription (case-insensitive)",
        rationale: """
            A Recovery Services vault name must be unique in its subscription, whatever the resource \
            group; Azure compares names case-insensitively. The second vault would fail to create.
            """,
        source: #"seeds 000, 001, 002 ("The name must be unique for the Azure subscription")"#,
        triggering: [
            Example.manifests(
                Example.vault("rsv-prod-weu"),
                Example.vault("↓RSV-prod-weu", resourceGroup: "rg-backup-dr"))
        ],
        nonTriggering: [
            Example.manifests(
                Example.vault("rsv-prod-weu"),
                Example.vault("rsv-prod-neu", region: "northeurope"))
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        var first: [String: Int] = [:]
        for (index, vault) in context.estate.vaults.enumerated() {
            let key = vault.subscription.value + "/" + vault.name.value.lowercased()
            guard let earlier = first[key] else {
                first[key] = index
                continue
            }
            let other = context.estate.vaults[earlier]
            diagnostics.append(
                diagnostic(
                    "vault name \"\(vault.name.value)\" is already used in subscription \(vault.subscription.value) "
                        + "(resource group \(other.resourceGroup.value))",
                    at: vault.name.range,
                    notes: [DiagnosticNote("first declared here", at: other.name.range)],
                    help: "give one of the vaults another name; vault names are unique per subscription"))
        }
    }
}
