extension RuleCatalog {
    /// Network rules and reachability (TR4xx).
    static let networkRules: [any EstateRule.Type] = []
}
