/// TR201: the backup policy name pattern.
enum PolicyNameRule: EstateRule {
    static let description = RuleDescription(
        code: "TR201", severity: .error,
        title: "policy name: 3–150 chars, starts with a letter, letters/digits/'-'/'_'",
        rationale: """
            Azure rejects other backup policy names when the policy is created. Terraform also allows '!'; \
            tresor keeps to letters, digits, '-' and '_', which every Azure client accepts.
            """,
        source: "Terraform azurerm backup_policy_vm name validation `^[a-zA-Z][-_!a-zA-Z0-9]{2,149}$`",
        triggering: [
            RuleExample.manifests(RuleExample.vault(), RuleExample.policy("d1")),
            RuleExample.manifests(RuleExample.vault(), RuleExample.policy("30-daily")),
        ],
        nonTriggering: [
            RuleExample.manifests(RuleExample.vault(), RuleExample.policy("d30")),
            RuleExample.manifests(RuleExample.vault(), RuleExample.policy("daily_30-days")),
        ])

    static let pattern = ResourceName(kind: "policy", lengths: 3...150, punctuation: "-_",
                                      allowedWords: "letters, digits, '-' and '_'")

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            guard let problem = pattern.problem(policy.name.value) else { continue }
            diagnostics.append(Diagnostic(
                "TR201", .error, problem, at: policy.name.range,
                help: "rename the policy: 3–150 characters, a letter first, then letters, digits, '-' and '_'"))
        }
    }
}
