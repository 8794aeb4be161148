extension RuleCatalog {
    /// Rules that compare the manifests with stored state (TR104, TR302's stored half, TR6xx).
    static let stateRules: [any EstateRule.Type] = []
}
