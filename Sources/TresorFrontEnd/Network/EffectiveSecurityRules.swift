import TresorModel

/// The traffic a security rule matches, once its text fields are parsed.
struct MatchCriteria: Sendable {
    var networkProtocol: NetworkProtocol
    var sources: [AddressPrefix]
    var sourcePorts: PortSet
    var destinations: [AddressPrefix]
    var destinationPorts: PortSet

    /// Nil when any field does not parse: TR402 or TR406 reports it.
    init?(_ rule: SecurityRule) {
        guard let networkProtocol = NetworkProtocol(manifestText: rule.protocol.value),
            let sources = Self.prefixes(rule.sources), let destinations = Self.prefixes(rule.destinations),
            let sourcePorts = Self.ports(rule.sourcePorts), let destinationPorts = Self.ports(rule.destinationPorts)
        else { return nil }
        self.init(
            networkProtocol: networkProtocol, sources: sources, sourcePorts: sourcePorts,
            destinations: destinations, destinationPorts: destinationPorts)
    }

    init(
        networkProtocol: NetworkProtocol, sources: [AddressPrefix], sourcePorts: PortSet,
        destinations: [AddressPrefix], destinationPorts: PortSet
    ) {
        self.networkProtocol = networkProtocol
        self.sources = sources
        self.sourcePorts = sourcePorts
        self.destinations = destinations
        self.destinationPorts = destinationPorts
    }

    private static func prefixes(_ entries: [Located<String>]) -> [AddressPrefix]? {
        guard !entries.isEmpty else { return nil }
        var prefixes: [AddressPrefix] = []
        for entry in entries {
            guard case .success(let prefix) = AddressPrefix.parse(entry.value) else { return nil }
            prefixes.append(prefix)
        }
        return prefixes
    }

    private static func ports(_ entries: [Located<String>]) -> PortSet? {
        guard !entries.isEmpty else { return nil }
        var ranges: [ClosedRange<Int>] = []
        for entry in entries {
            guard case .success(let range) = PortRange.parse(entry.value) else { return nil }
            ranges.append(range)
        }
        return PortSet(ranges)
    }
}

/// One rule of an NSG as the evaluator sees it: declared in a manifest (observed in the NSG, or
/// a managed NetworkRule) or one of Azure's defaults.
struct EffectiveRule: Sendable {
    var name: String
    var direction: RuleDirection
    var access: RuleAccess
    var priority: Int
    /// The manifest text; nil for Azure's defaults.
    var declaration: SecurityRule?
    /// Nil when a field does not parse: the rule may match anything.
    var criteria: MatchCriteria?
    /// False when Azure would reject the rule (TR402, TR403, TR406): tresor never concludes that
    /// traffic is denied because of such a rule, nor that it is allowed.
    var isValid: Bool
    /// For a rule that repeats an earlier rule's direction and priority: that rule's index in
    /// `EffectiveSecurityRules.rules`.
    var samePriorityAs: Int?

    /// "Deny_All_Outbound (priority 1000)".
    var label: String { "\(name) (priority \(priority))" }

    /// The rule as a message names it: "Deny_All_Outbound (priority 1000) in nsg-web".
    func described(in nsgName: String) -> String {
        declaration == nil ? "Azure's default rule \(label) in \(nsgName)" : "\(label) in \(nsgName)"
    }

    /// Points at the rule's declaration, or says it is one of Azure's defaults.
    func note(_ role: String) -> DiagnosticNote {
        guard let declaration else {
            return DiagnosticNote("\(name) is one of Azure's default rules, present in every NSG")
        }
        return DiagnosticNote("\(name) \(role) here", at: declaration.name.range)
    }
}

/// Every rule that applies in one NSG: its observed rules, the managed NetworkRules bound to it
/// and Azure's defaults, with the order they are evaluated in.
struct EffectiveSecurityRules: Sendable {
    let nsgName: String
    /// Declared rules in declaration order (observed, then managed), then Azure's defaults.
    let rules: [EffectiveRule]
    /// Indices into `rules`, by priority: lowest number first.
    let evaluationOrder: [Int]

    init(_ estate: Estate, nsg nsgIndex: Int) {
        nsgName = estate.networkSecurityGroups[nsgIndex].name.value
        var rules: [EffectiveRule] = []
        var firstAtPriority: [RuleDirection: [Int: Int]] = [:]
        for rule in estate.declaredSecurityRules(of: nsgIndex) where !AzureDefaultRules.isRestatement(rule) {
            let criteria = MatchCriteria(rule)
            let priority = rule.priority.value
            var samePriorityAs: Int?
            if SecurityRuleLimits.priorities.contains(priority) {
                let direction = rule.direction.value
                if let first = firstAtPriority[direction]?[priority] {
                    samePriorityAs = first
                } else {
                    firstAtPriority[direction, default: [:]][priority] = rules.count
                }
            }
            let isValid =
                criteria != nil && samePriorityAs == nil
                && SecurityRuleLimits.priorities.contains(priority)
                && SecurityRuleLimits.nameProblem(rule.name.value) == nil
                && rule.description.map { SecurityRuleLimits.isValidDescription($0.value) } ?? true
            rules.append(
                EffectiveRule(
                    name: rule.name.value, direction: rule.direction.value,
                    access: rule.access.value, priority: priority, declaration: rule,
                    criteria: criteria, isValid: isValid, samePriorityAs: samePriorityAs))
        }
        for rule in AzureDefaultRules.all {
            let criteria = MatchCriteria(
                networkProtocol: .any, sources: [rule.source], sourcePorts: PortSet([PortRange.all]),
                destinations: [rule.destination], destinationPorts: PortSet([PortRange.all]))
            rules.append(
                EffectiveRule(
                    name: rule.name, direction: rule.direction, access: rule.access,
                    priority: rule.priority, criteria: criteria, isValid: true))
        }
        self.rules = rules
        // Azure refuses one of two rules with the same priority and direction, and which one it
        // keeps is not defined: the refused one goes first, so that it is weighed as a possibility.
        let refusedFirst = { (index: Int) in (rules[index].priority, rules[index].samePriorityAs == nil ? 1 : 0, index) }
        evaluationOrder = rules.indices.sorted { refusedFirst($0) < refusedFirst($1) }
    }

    /// A priority number for a new rule in `direction` that is evaluated before `priority`: the
    /// nearest free multiple of 10 below it, else the nearest free number; nil when no number
    /// from 100 up to it is free.
    func freePriority(below priority: Int, direction: RuleDirection) -> Int? {
        let used = Set(rules.lazy.filter { $0.direction == direction }.map(\.priority))
        let lowest = SecurityRuleLimits.priorities.lowerBound
        let highest = min(priority - 1, SecurityRuleLimits.priorities.upperBound)
        guard highest >= lowest else { return nil }
        if let round = stride(from: highest / 10 * 10, through: lowest, by: -10).first(where: { !used.contains($0) }) {
            return round
        }
        return (lowest...highest).reversed().first { !used.contains($0) }
    }

    /// The fix for traffic that `deny` blocks: an Allow with a free priority number before it.
    func helpAddingAllow(before deny: EffectiveRule, for traffic: String) -> String {
        let allow = "an \(deny.direction.rawValue.lowercased()) Allow rule"
        if let priority = freePriority(below: deny.priority, direction: deny.direction) {
            return "add \(allow) with priority \(priority) to \(nsgName) \(traffic)"
        }
        return
            "no priority number below \(deny.priority) is free in \(nsgName): move \(deny.name) to a higher number, then add \(allow) \(traffic) before it"
    }
}

extension Estate {
    /// Effective rules of every NSG, by NSG index.
    func effectiveSecurityRules() -> [EffectiveSecurityRules] {
        networkSecurityGroups.indices.map { EffectiveSecurityRules(self, nsg: $0) }
    }

    /// The security rules declared for NSG `nsg`: its observed rules, then the managed
    /// NetworkRules bound to it. An observed rule with a managed rule's name is that same Azure
    /// rule (an inventory lists what tresor applied, too): the managed declaration stands for it.
    func declaredSecurityRules(of nsg: Int) -> [SecurityRule] {
        let managed = networkRulesOfNSG[nsg].map { networkRules[$0].rule }
        let managedNames = Set(managed.map { $0.name.value.lowercased() })
        return networkSecurityGroups[nsg].rules.filter { !managedNames.contains($0.name.value.lowercased()) } + managed
    }

    /// Every declared security rule with the index of its NSG.
    func declaredSecurityRules() -> [(rule: SecurityRule, nsg: Int)] {
        networkSecurityGroups.indices.flatMap { nsg in declaredSecurityRules(of: nsg).map { ($0, nsg) } }
    }

    /// Calls `body` with each NSG that VM `vm` lists and that resolved, in evaluation order,
    /// once each, with the list entry that names it.
    package func forEachNSG(of vm: Int, _ body: (_ nsg: Int, _ reference: Located<String>) -> Void) {
        let indices = virtualMachines[vm].nsgIndices
        for (position, nsg) in indices.enumerated() {
            guard let nsg, !indices[..<position].contains(nsg) else { continue }
            body(nsg, virtualMachines[vm].networkSecurityGroups[position])
        }
    }
}
