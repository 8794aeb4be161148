import TresorModel

/// TR201: the backup policy name pattern.
enum PolicyNameRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR201", severity: .error,
        title: "policy name: 3–150 chars, starts with a letter, letters/digits/'-'/'_'",
        rationale: """
            Azure rejects other backup policy names when the policy is created. Terraform also allows '!'; \
            tresor keeps to letters, digits, '-' and '_', which every Azure client accepts.
            """,
        source: "Terraform azurerm backup_policy_vm name validation `^[a-zA-Z][-_!a-zA-Z0-9]{2,149}$`",
        triggering: [
            Example.vaultWithPolicy("↓d1"),
            Example.vaultWithPolicy("↓30-daily")
        ],
        nonTriggering: [
            Example.vaultWithPolicy("d30"),
            Example.vaultWithPolicy("daily_30-days")
        ])

    static let pattern = ResourceName(
        rule: Self.self, kind: "policy", lengths: 3...150, punctuation: "-_",
        allowedWords: "letters, digits, '-' and '_'")

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        diagnostics += context.estate.policies.compactMap { pattern.diagnostic(for: $0.name) }
    }
}
