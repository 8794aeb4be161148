extension RuleCatalog {
    /// Vault, policy and VM rules (TR1xx, TR2xx, TR3xx, TR501).
    static let resourceRules: [any EstateRule.Type] = []
}
