import TresorModel

extension RuleCatalog {
    /// Rules that compare the manifests with stored state (TR104). They find no state when run
    /// with the others by validate; plan runs them again with it (`checkAgainstState`).
    static let stateRules: [any EstateRule.Type] = [
        ReplicationLockRule.self
    ]

    package static func checkAgainstState(_ context: RuleContext) -> [Diagnostic] {
        run(stateRules, context)
    }

    /// Codes the planner, the state store, apply and import report (TR601–TR608). The stored halves of
    /// TR105 and TR302 are reported by the planner under those rules' codes.
    static let planAndStateCodes: [any FrontEndRule.Type] = [
        DestructiveChangeRule.self,
        StalePlanRule.self,
        StateLockRule.self,
        UnusableStateRule.self,
        ProviderRefusalRule.self,
        SignInRule.self,
        ImportLeftOutRule.self,
        AlreadyInAzureRule.self
    ]
}
