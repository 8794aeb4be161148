import TresorModel
import TresorSupport

/// Every code tresor reports, in code order.
public enum RuleCatalog {
    static let frontEnd: [any FrontEndRule.Type] = [
        InputFileRule.self,
        YAMLSyntaxRule.self,
        DuplicateKeyRule.self,
        SafetyLimitRule.self,
        DocumentHeaderRule.self,
        UnknownFieldRule.self,
        RequiredFieldRule.self,
        ValueTypeRule.self,
        AllowedValueRule.self,
        DuplicateIdentityRule.self,
        ReferenceRule.self,
        InventoryDisagreementRule.self,
        UnusedSuppressionRule.self
    ]

    static let estateRules: [any EstateRule.Type] = resourceRules + networkRules + stateRules

    public static let descriptions: [RuleDescription] =
        ((frontEnd + planAndStateCodes).map { $0.description } + estateRules.map { $0.description }).sorted { $0.code < $1.code }

    public static func description(of code: String) -> RuleDescription? {
        descriptions.first { $0.code.lowercased() == code.lowercased() }
    }

    /// Runs every estate rule.
    static func check(_ context: RuleContext) -> [Diagnostic] {
        run(estateRules, context)
    }

    /// Rules only read the estate, so they run side by side on both cores.
    static func run(_ rules: [any EstateRule.Type], _ context: RuleContext) -> [Diagnostic] {
        Parallel.each(rules.count) { index in
            var diagnostics: [Diagnostic] = []
            rules[index].check(context, &diagnostics)
            return diagnostics
        }.flatMap { $0 }
    }
}
