extension RuleCatalog {
    /// Rules that compare the manifests with stored state (TR104).
    static let stateRules: [any EstateRule.Type] = [
        ReplicationLockRule.self,
    ]

    /// Codes the planner, the state store and apply report (TR601–TR604). The stored halves of
    /// TR105 and TR302 are reported by the planner under those rules' codes.
    static let planAndStateCodes: [any FrontEndRule.Type] = [
        DestructiveChangeRule.self,
        StalePlanRule.self,
        StateLockRule.self,
        UnusableStateRule.self,
    ]
}
