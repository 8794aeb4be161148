import TresorModel
import TresorSupport

/// TR406: NSG security rule fields Azure would refuse.
enum SecurityRuleFieldsRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR406", severity: .error,
        title: "NSG rule fields: name characters, description length, protocol, addresses, port ranges 0–65535 with low ≤ high",
        rationale: """
            Azure refuses a security rule whose name is empty, longer than 80 characters or holds / \\ ? \
            % or ;, whose description is longer than 140 characters, whose protocol is not Tcp, Udp, \
            Icmp, Esp, Ah or "*", or whose ports are not "*", a port or a range "low-high" within \
            0–65535 with low ≤ high. Addresses must be "*", an IPv4 address or CIDR, an IPv6 address or \
            prefix, or a service tag (unknown tags are TR402). These checks apply to observed rules and \
            managed NetworkRules alike, and a rule that fails them is not relied on when tresor \
            evaluates reachability (TR401, TR405).
            """,
        source:
            "Azure NSG security rule API (name ≤ 80; description \"restricted to 140 chars\"; ports \"between 0 and 65535\"; protocols of az network nsg rule create)",
        triggering: [
            Example.nsg(rules: [
                """
                  - {name: ↓Allow/Backup, direction: Outbound, access: Allow, priority: 900,
                     protocol: Tcp, source: VirtualNetwork, sourcePorts: "*", destination: Storage, destinationPorts: "8443"}
                """
            ]),
            Example.nsg(rules: [
                """
                  - {name: Allow_Backup, direction: Outbound, access: Allow, priority: 900,
                     protocol: Tcp, source: VirtualNetwork, sourcePorts: "*", destination: Storage, destinationPorts: ↓"8443-443"}
                """
            ]),
            Example.nsg(rules: [
                """
                  - {name: Allow_Backup, direction: Outbound, access: Allow, priority: 900,
                     protocol: ↓Https, source: VirtualNetwork, sourcePorts: "*", destination: Storage, destinationPorts: ↓"65536"}
                """
            ])
        ],
        nonTriggering: [
            Example.nsg(rules: [
                """
                  - {name: Allow_Backup, direction: Outbound, access: Allow, priority: 900,
                     protocol: tcp, source: VirtualNetwork, sourcePorts: "0-65535", destination: Storage, destinationPorts: ["443", "8443"]}
                """
            ])
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for (rule, _) in context.estate.declaredSecurityRules() {
            if let problem = SecurityRuleLimits.nameProblem(rule.name.value) {
                diagnostics.append(
                    diagnostic(
                        problem, at: rule.name.range,
                        help: "use 1–80 characters without / \\ ? % or ;"))
            }
            if let description = rule.description, !SecurityRuleLimits.isValidDescription(description.value) {
                diagnostics.append(
                    diagnostic(
                        "description of \(rule.name.value) is \(description.value.count) characters long; the limit is \(SecurityRuleLimits.maxDescriptionLength)",
                        at: description.range, help: "shorten the description"))
            }
            if NetworkProtocol(manifestText: rule.protocol.value) == nil {
                diagnostics.append(
                    diagnostic(
                        "protocol must be one of \(NetworkProtocol.allowedValues), not \"\(rule.protocol.value)\"",
                        at: rule.protocol.range, help: protocolHelp(rule.protocol.value)))
            }
            for (field, ports) in [("sourcePorts", rule.sourcePorts), ("destinationPorts", rule.destinationPorts)] {
                if ports.isEmpty { diagnostics.append(emptyList(field, of: rule)) }
                for entry in ports { checkPort(entry, &diagnostics) }
            }
            for (field, addresses) in [("source", rule.sources), ("destination", rule.destinations)] {
                if addresses.isEmpty { diagnostics.append(emptyList(field, of: rule)) }
                for entry in addresses where AddressPrefix.parse(entry.value) == .failure(.malformed) {
                    diagnostics.append(
                        diagnostic(
                            "\"\(entry.value)\" is not an IP address, a CIDR, a service tag or \"*\"", at: entry.range,
                            help: "write an address such as 10.0.0.5, a CIDR such as 10.0.0.0/24, a service tag or \"*\""))
                }
            }
        }
    }

    /// The portal's "Any" is "*" in the API; HTTP(S) runs over Tcp.
    private static func protocolHelp(_ text: String) -> String {
        if ["any", "all"].contains(text.lowercased()) { return "write \"*\" for every protocol" }
        return Suggestion.nearest(to: text, in: NetworkProtocol.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" }
            ?? "HTTP and HTTPS are Tcp; \"*\" matches every protocol"
    }

    private static func emptyList(_ field: String, of rule: SecurityRule) -> Diagnostic {
        diagnostic(
            "\(field) of \(rule.name.value) is an empty list", at: rule.range,
            help: "list at least one entry, or write \"*\"")
    }

    private static func checkPort(_ entry: Located<String>, _ diagnostics: inout [Diagnostic]) {
        let message: String
        let help: String
        switch PortRange.parse(entry.value) {
        case .success:
            return
        case .failure(.notAPort):
            message = "\"\(entry.value)\" is not a port or a port range"
            help = "write \"*\", a port such as \"443\", a range such as \"80-443\", or a list of those"
        case .failure(.outOfRange(let number)):
            message = "port \(number) is outside 0–65535"
            help = "ports go from 0 to 65535"
        case .failure(.reversed(let low, let high)):
            message = "port range \"\(entry.value)\" starts above its end"
            help = "write \"\(high)-\(low)\""
        }
        diagnostics.append(diagnostic(message, at: entry.range, help: help))
    }
}
