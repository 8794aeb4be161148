import TresorModel

/// Whether a rule matches a flow, when tresor cannot always know: the model has no VM IP
/// addresses and no service tag address lists.
enum Match: Int, Comparable, Sendable {
    case no, maybe, yes

    static func < (a: Match, b: Match) -> Bool { a.rawValue < b.rawValue }
}

/// One end of a flow.
enum FlowEndpoint: Hashable, Sendable {
    /// A VM inside its virtual network, address unknown.
    case virtualNetworkHost
    /// A host by address; nil when the address is not an IPv4 address (a host name).
    case host(UInt32?)
    /// The addresses of a service tag, e.g. Storage.westeurope.
    case service(ServiceTag)
}

/// Traffic as NSGs see it. The source port is an ephemeral one, never known.
package struct Flow: Hashable, Sendable {
    var direction: RuleDirection
    var networkProtocol: NetworkProtocol
    var source: FlowEndpoint
    var destination: FlowEndpoint
    var destinationPort: Int
}

/// What one NSG does with a flow.
enum Verdict: Equatable, Sendable {
    case allowed
    /// Certainly denied by this rule (an index into `EffectiveSecurityRules.rules`).
    case denied(by: Int)
    /// Depends on something the manifests do not say (an address, an invalid rule).
    case undetermined
}

extension AddressPrefix {
    /// Whether this rule prefix matches `endpoint`.
    ///
    /// - A VM in its VNet matches "*" and VirtualNetwork; a CIDR only maybe (its address is
    ///   unknown), except 0.0.0.0/0; other service tags do not match (they name public or
    ///   platform addresses, not the VNet's private ones).
    /// - A service-tag destination matches "*" and the tags that contain it (`ServiceTag.contains`);
    ///   a CIDR only maybe, except 0.0.0.0/0: tresor does not hold the service's address list.
    /// - A host address is matched exactly against CIDRs; VirtualNetwork is a maybe (the VNet's
    ///   address space is unknown); other tags never contain a private address and maybe a public one.
    func match(_ endpoint: FlowEndpoint) -> Match {
        switch (self, endpoint) {
        case (.any, _):
            return .yes
        case (.ipv4(let block), .host(let address?)):
            return block.contains(address) ? .yes : .no
        case (.ipv4(let block), _):
            return block.isEverything ? .yes : .maybe
        case (.ipv6, .host(.some)):
            return .no
        case (.ipv6, _):
            return .maybe
        case (.serviceTag(let tag), .virtualNetworkHost):
            return tag.base == "VirtualNetwork" ? .yes : .no
        case (.serviceTag(let tag), .service(let service)):
            return tag.contains(service) ? .yes : .no
        case (.serviceTag(let tag), .host(let address)):
            if tag.base == "VirtualNetwork" { return .maybe }
            if let address, IPv4Block.isPrivate(address) { return .no }
            return .maybe
        }
    }
}

extension MatchCriteria {
    func match(_ flow: Flow) -> Match {
        guard networkProtocol.covers(flow.networkProtocol), destinationPorts.contains(flow.destinationPort) else { return .no }
        let source = sources.map { $0.match(flow.source) }.max() ?? .no
        let destination = destinations.map { $0.match(flow.destination) }.max() ?? .no
        let sourcePort: Match = sourcePorts.isEverything ? .yes : .maybe
        return min(source, destination, sourcePort)
    }
}

extension EffectiveSecurityRules {
    /// First match by priority. A flow is `denied` only when a valid Deny certainly matches it
    /// and no rule before it might allow it; `allowed` when a valid Allow certainly matches and
    /// no rule before it might deny it. Invalid rules are never relied on: one that might match
    /// only makes a later outcome undetermined.
    func evaluate(_ flow: Flow) -> Verdict {
        var mightBeAllowed = false
        var mightBeDenied = false
        for index in evaluationOrder {
            let rule = rules[index]
            guard rule.direction == flow.direction else { continue }
            let match = rule.criteria?.match(flow) ?? .maybe
            if match == .no { continue }
            let certain = match == .yes && rule.isValid
            switch rule.access {
            case .Allow:
                if certain { return mightBeDenied ? .undetermined : .allowed }
                mightBeAllowed = true
            case .Deny:
                if certain { return mightBeAllowed ? .undetermined : .denied(by: index) }
                mightBeDenied = true
            }
        }
        return .undetermined
    }
}

/// NSG verdicts on flows, each worked out once: many VMs share few NSGs and few flows.
package struct VerdictCache {
    private let estate: Estate
    private var rulesOfNSG: [Int: EffectiveSecurityRules] = [:]
    private var verdicts: [Key: Verdict] = [:]

    private struct Key: Hashable {
        var nsg: Int
        var flow: Flow
    }

    init(_ estate: Estate) {
        self.estate = estate
    }

    mutating func rules(of nsg: Int) -> EffectiveSecurityRules {
        if let rules = rulesOfNSG[nsg] { return rules }
        let rules = EffectiveSecurityRules(estate, nsg: nsg)
        rulesOfNSG[nsg] = rules
        return rules
    }

    mutating func verdict(of nsg: Int, on flow: Flow) -> Verdict {
        let key = Key(nsg: nsg, flow: flow)
        if let verdict = verdicts[key] { return verdict }
        let verdict = rules(of: nsg).evaluate(flow)
        verdicts[key] = verdict
        return verdict
    }
}
