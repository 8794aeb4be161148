extension RuleCatalog {
    /// Network rules and reachability (TR4xx).
    static let networkRules: [any EstateRule.Type] = [
        BackupStorageReachabilityRule.self,
        ServiceTagRule.self,
        RulePriorityRule.self,
        ShadowedRuleRule.self,
        ProxyEgressRule.self,
        SecurityRuleFieldsRule.self
    ]
}
