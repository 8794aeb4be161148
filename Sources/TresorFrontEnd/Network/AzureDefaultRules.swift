import TresorModel

/// The rules Azure puts in every NSG below the user's rules (priorities 65000–65500). They are
/// always there, so manifests need not write them.
/// Source: Microsoft Learn, "Network security groups: default security rules".
enum AzureDefaultRules {
    struct Rule: Sendable {
        var name: String
        var direction: RuleDirection
        var access: RuleAccess
        var priority: Int
        var source: AddressPrefix
        var destination: AddressPrefix
    }

    private static let virtualNetwork = AddressPrefix.serviceTag(ServiceTag(base: "VirtualNetwork"))

    static let all: [Rule] = [
        Rule(
            name: "AllowVnetInBound", direction: .Inbound, access: .Allow, priority: 65000,
            source: virtualNetwork, destination: virtualNetwork),
        Rule(
            name: "AllowAzureLoadBalancerInBound", direction: .Inbound, access: .Allow, priority: 65001,
            source: .serviceTag(ServiceTag(base: "AzureLoadBalancer")), destination: .any),
        Rule(name: "DenyAllInBound", direction: .Inbound, access: .Deny, priority: 65500, source: .any, destination: .any),
        Rule(
            name: "AllowVnetOutBound", direction: .Outbound, access: .Allow, priority: 65000,
            source: virtualNetwork, destination: virtualNetwork),
        Rule(
            name: "AllowInternetOutBound", direction: .Outbound, access: .Allow, priority: 65001,
            source: .any, destination: .serviceTag(ServiceTag(base: "Internet"))),
        Rule(name: "DenyAllOutBound", direction: .Outbound, access: .Deny, priority: 65500, source: .any, destination: .any)
    ]

    /// Whether a declared rule is one of these, written out: same name, direction and priority.
    /// Such a rule is not the user's (no TR403) and is evaluated as the built-in one.
    static func isRestatement(_ rule: SecurityRule) -> Bool {
        all.contains {
            $0.name.lowercased() == rule.name.value.lowercased() && $0.direction == rule.direction.value
                && $0.priority == rule.priority.value
        }
    }
}
