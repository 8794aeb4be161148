import TresorModel

/// TR101: the vault name pattern.
enum VaultNameRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR101", severity: .error,
        title: "vault name: 2–50 chars, starts with a letter, only letters, digits, hyphens",
        rationale: """
            Azure rejects any other Recovery Services vault name when the vault is created, so the plan \
            would fail at apply. The name is part of the vault's identity: fixing it later means a new vault.
            """,
        source: """
            seeds 000, 001, 002 ("2 to 50 characters … must start with a letter and may contain only letters, \
            numbers and hyphens"); Terraform azurerm `^[a-zA-Z][-a-zA-Z0-9]{1,49}$`
            """,
        triggering: [
            Example.vault("↓1vault"),
            Example.vault("↓v"),
            Example.vault("↓rsv_prod_weu")
        ],
        nonTriggering: [
            Example.vault("rv"),
            Example.vault("rsv-prod-weu-" + String(repeating: "x", count: 37))
        ])

    static let pattern = ResourceName(
        rule: Self.self, kind: "vault", lengths: 2...50, punctuation: "-",
        allowedWords: "letters, digits and hyphens")

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        diagnostics += context.estate.vaults.compactMap { pattern.diagnostic(for: $0.name) }
    }
}
