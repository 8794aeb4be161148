import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// The estate as reviewers ask about it: per subscription and region, which vault protects which
/// VMs under which policy, which VMs no vault protects, and whether each NSG lets backup traffic
/// reach storage (TR401, TR405). With stored state, it also shows what state holds that the
/// manifests no longer declare, and protections that are stopped.
///
/// Collected once into subscriptions → regions → vaults → policies → VMs, then drawn at the
/// finest level of detail that fits `nodeBudget` nodes and `edgeBudget` edges, so that a
/// 100,000-VM estate stays a picture a person can read (and Mermaid can draw: it refuses more
/// than 500 edges by default):
///
/// - `vms`: every VM a node under its policy; a policy with more than `listedVMsPerGroup` VMs
///   (and a region with more unprotected VMs than that) shows one count node instead.
/// - `policies`: vaults and policies, each policy with its VM count; NSGs as nodes.
/// - `regions`: per subscription and region, one node for the vaults and one per policy name
///   with the VMs of every vault there; NSGs counted by verdict.
/// - `subscriptions`: the same per subscription, across its regions.
package struct EstateGraph {
    static let listedVMsPerGroup = 12
    static let nodeBudget = 150
    static let edgeBudget = 300

    package enum Detail: CaseIterable {
        case vms, policies, regions, subscriptions

        package var description: String {
            switch self {
            case .vms: "every VM; a policy with more than \(listedVMsPerGroup) VMs as a count"
            case .policies: "VMs as counts per policy"
            case .regions: "counts per policy name in each subscription and region"
            case .subscriptions: "counts per policy name in each subscription"
            }
        }
    }

    /// What stored state says about a resource the diagram shows. `declared` when no state is given.
    enum Presence {
        case declared
        /// Declared and in state.
        case applied
        /// Declared, not yet in state: the next apply creates it.
        case new
        /// In state only: the next plan deletes it (a protected item: stops its protection).
        case stateOnly
        /// A protected item in state only whose protection is stopped, recovery points retained.
        case stopped
        /// Declared, stopped in state: the next apply resumes protection.
        case resumes
    }

    struct VM {
        var name: String
        var presence: Presence
        var outcome: BackupReachability.Outcome
        var passages: [BackupReachability.Passage]
    }

    struct Policy {
        var name: String
        var details: [String]
        var presence: Presence
        var vms: [VM] = []
    }

    struct Vault {
        var name: String
        var details: String
        var presence: Presence
        var policies: [Policy] = []
    }

    struct NSG {
        var index: Int
        var name: String
        var vms = 0
        var reaching = 0
        var undetermined = 0
        var blocked = 0
        var blockedPorts: [Int] = []
        var codes: [String] = []

        var style: Diagram.Style {
            blocked > 0 ? .nsgBlocks : undetermined > 0 || vms == 0 ? .nsgUndetermined : .nsgReaches
        }
    }

    struct Region {
        var name: String
        var vaults: [Vault] = []
        var unprotected: [VM] = []
        var nsgs: [NSG] = []
    }

    struct Subscription {
        var id: String
        var regions: [Region] = []
    }

    var subscriptions: [Subscription] = []

    package init(_ estate: Estate, state: State?) {
        var builder = Builder(estate: estate, state: state)
        builder.collect()
        subscriptions = builder.sorted()
    }

    /// The diagram at the finest detail that fits the budgets (the coarsest when none does).
    package func diagram() -> (Diagram, Detail) {
        for detail in Detail.allCases.dropLast() {
            let diagram = self.diagram(detail)
            if diagram.nodeCount <= Self.nodeBudget && diagram.edges.count <= Self.edgeBudget { return (diagram, detail) }
        }
        return (diagram(.subscriptions), .subscriptions)
    }

    /// "2 subscriptions, 4 regions, 4 vaults, 38 VMs: 31 protected, 7 unprotected".
    package var summary: String {
        var regions: Set<String> = []
        var vaults = 0
        var protected = 0
        var unprotected = 0
        var blocked = 0
        for subscription in subscriptions {
            for region in subscription.regions {
                regions.insert(region.name)
                vaults += region.vaults.count
                unprotected += region.unprotected.count
                for vault in region.vaults {
                    for policy in vault.policies {
                        protected += policy.vms.count
                        blocked += policy.vms.count { if case .blocked = $0.outcome { true } else { false } }
                    }
                }
            }
        }
        var text =
            "\(counted(subscriptions.count, "subscription")), \(counted(regions.count, "region")), \(counted(vaults, "vault")), "
            + "\(counted(protected + unprotected, "VM")): \(grouped(protected)) protected, \(grouped(unprotected)) unprotected"
        if blocked > 0 { text += ", \(grouped(blocked)) protected but blocked from backup storage" }
        return text
    }

    // MARK: - Drawing

    func diagram(_ detail: Detail) -> Diagram {
        var diagram = Diagram()
        switch detail {
        case .vms, .policies:
            // NSG nodes first: a VM may list an NSG of another region (TR402 warns about it).
            var nsgNodes: [Int: Diagram.Node] = [:]
            for subscription in subscriptions {
                for region in subscription.regions {
                    for nsg in region.nsgs {
                        nsgNodes[nsg.index] = diagram.node([nsg.name] + Self.verdictLines(nsg), .hexagon, nsg.style)
                    }
                }
            }
            for subscription in subscriptions {
                var subscriptionGroup = diagram.group("subscription \(subscription.id)")
                for region in subscription.regions {
                    subscriptionGroup.groups.append(draw(region, listingVMs: detail == .vms, nsgNodes: nsgNodes, in: &diagram))
                }
                diagram.groups.append(subscriptionGroup)
            }
        case .regions:
            for subscription in subscriptions {
                var subscriptionGroup = diagram.group("subscription \(subscription.id)")
                for region in subscription.regions {
                    var group = diagram.group(region.name)
                    drawTotals(of: [region], into: &group, in: &diagram)
                    subscriptionGroup.groups.append(group)
                }
                diagram.groups.append(subscriptionGroup)
            }
        case .subscriptions:
            for subscription in subscriptions {
                let names = subscription.regions.map(\.name)
                let shown = names.count > 4 ? names.prefix(3).joined(separator: ", ") + ", …" : names.joined(separator: ", ")
                var group = diagram.group("subscription \(subscription.id): \(counted(names.count, "region")) (\(shown))")
                drawTotals(of: subscription.regions, into: &group, in: &diagram)
                diagram.groups.append(group)
            }
        }
        return diagram
    }

    /// A region with its vaults, policies, NSGs and, when `listingVMs`, its VMs.
    private func draw(_ region: Region, listingVMs: Bool, nsgNodes: [Int: Diagram.Node], in diagram: inout Diagram) -> Diagram.Group {
        var group = diagram.group(region.name)
        // VM → NSG edges come after the region's nodes, so that Graphviz keeps those together.
        var pendingPassages: [(from: Diagram.Node, passages: [BackupReachability.Passage])] = []
        for vault in region.vaults {
            let vaultNode = diagram.node(
                [vault.name, vault.details] + Self.presenceLines(vault.presence, kind: .vault),
                .cylinder, vault.presence == .stateOnly ? .stateOnly : .vault)
            group.nodes.append(vaultNode)
            for policy in vault.policies {
                let counting = !listingVMs || policy.vms.count > Self.listedVMsPerGroup
                var lines = [policy.name] + policy.details
                if counting { lines += Self.countLines(policy.vms, noun: "VM") }
                lines += Self.presenceLines(policy.presence, kind: .backupPolicy)
                // Counted VMs that are blocked make their policy red, as listed ones are.
                let style: Diagram.Style =
                    policy.presence == .stateOnly
                    ? .stateOnly
                    : counting && Self.anyBlocked(policy.vms) ? .blocked : .policy
                let policyNode = diagram.node(lines, .rounded, style)
                group.nodes.append(policyNode)
                diagram.connect(vaultNode, policyNode)
                if listingVMs, policy.vms.count <= Self.listedVMsPerGroup {
                    for vm in policy.vms {
                        let node = diagram.node(Self.vmLines(vm), .box, Self.style(of: vm))
                        group.nodes.append(node)
                        diagram.connect(policyNode, node)
                        pendingPassages.append((node, vm.passages))
                    }
                } else if !policy.vms.isEmpty {
                    pendingPassages.append((policyNode, policy.vms.flatMap(\.passages)))
                }
            }
        }
        if !region.unprotected.isEmpty {
            if listingVMs, region.unprotected.count <= Self.listedVMsPerGroup {
                for vm in region.unprotected {
                    let node = diagram.node(Self.vmLines(vm) + ["unprotected"], .box, .unprotected)
                    group.nodes.append(node)
                    pendingPassages.append((node, vm.passages))
                }
            } else {
                let node = diagram.node([counted(region.unprotected.count, "unprotected VM")], .stadium, .unprotected)
                group.nodes.append(node)
                pendingPassages.append((node, region.unprotected.flatMap(\.passages)))
            }
        }
        group.nodes += region.nsgs.compactMap { nsgNodes[$0.index] }
        for (from, passages) in pendingPassages {
            // One edge per NSG, the worst outcome over the VMs the node stands for.
            var outcomes: [(nsg: Int, outcome: BackupReachability.Outcome)] = []
            for passage in passages {
                if let existing = outcomes.firstIndex(where: { $0.nsg == passage.nsg }) {
                    outcomes[existing].outcome = BackupReachability.worse(outcomes[existing].outcome, passage.outcome)
                } else {
                    outcomes.append((passage.nsg, passage.outcome))
                }
            }
            for (nsg, outcome) in outcomes {
                guard let nsgNode = nsgNodes[nsg] else { continue }
                if case .blocked(_, let ports) = outcome {
                    diagram.connect(from, nsgNode, .blocked, label: "denies " + ports.map(String.init).joined(separator: ", "))
                } else {
                    diagram.connect(from, nsgNode, .dotted)
                }
            }
        }
        return group
    }

    /// Regions summed: a node for their vaults, one per policy name, one for unprotected VMs,
    /// and NSGs counted by verdict.
    private func drawTotals(of regions: [Region], into group: inout Diagram.Group, in diagram: inout Diagram) {
        let vaults = regions.flatMap(\.vaults)
        var vaultLines = [counted(vaults.count, "vault")]
        let names = vaults.map(\.name)
        if !names.isEmpty {
            vaultLines.append(names.count > 3 ? names.prefix(2).joined(separator: ", ") + ", …" : names.joined(separator: ", "))
        }
        let stateOnlyVaults = vaults.count { $0.presence == .stateOnly }
        if stateOnlyVaults > 0 { vaultLines.append("\(grouped(stateOnlyVaults)) only in state") }
        let vaultNode = diagram.node(vaultLines, .cylinder, .vault)
        group.nodes.append(vaultNode)
        var policyNames: [String] = []
        var vmsByPolicy: [String: (vaults: Int, vms: [VM])] = [:]
        for vault in vaults {
            for policy in vault.policies {
                if vmsByPolicy[policy.name] == nil { policyNames.append(policy.name) }
                vmsByPolicy[policy.name, default: (0, [])].vaults += 1
                vmsByPolicy[policy.name, default: (0, [])].vms += policy.vms
            }
        }
        for name in policyNames.sorted(by: Self.policyOrder) {
            let (vaultCount, vms) = vmsByPolicy[name]!
            let lines = [name, "in \(counted(vaultCount, "vault"))"] + Self.countLines(vms, noun: "VM")
            let node = diagram.node(lines, .rounded, Self.anyBlocked(vms) ? .blocked : .policy)
            group.nodes.append(node)
            diagram.connect(vaultNode, node)
        }
        let unprotected = regions.flatMap(\.unprotected)
        if !unprotected.isEmpty {
            group.nodes.append(
                diagram.node(
                    [counted(unprotected.count, "unprotected VM")] + Self.blockedLine(unprotected),
                    .stadium, .unprotected))
        }
        let nsgs = regions.flatMap(\.nsgs)
        let blocking = nsgs.filter { $0.style == .nsgBlocks }
        let reaching = nsgs.filter { $0.style == .nsgReaches }
        let other = nsgs.filter { $0.style == .nsgUndetermined }
        if !reaching.isEmpty {
            group.nodes.append(
                diagram.node(
                    [counted(reaching.count, "NSG"), reaching.count == 1 ? "reaches backup storage" : "reach backup storage"],
                    .hexagon, .nsgReaches))
        }
        if !blocking.isEmpty {
            let codes = Set(blocking.flatMap(\.codes)).sorted().joined(separator: ", ")
            let vms = blocking.reduce(0) { $0 + $1.blocked }
            group.nodes.append(
                diagram.node(
                    [
                        counted(blocking.count, "NSG"), "\(blocking.count == 1 ? "blocks" : "block") backup storage (\(codes))",
                        "for \(counted(vms, "VM"))"
                    ],
                    .hexagon, .nsgBlocks))
        }
        if !other.isEmpty {
            group.nodes.append(diagram.node([counted(other.count, "NSG"), "undetermined or unused"], .hexagon, .nsgUndetermined))
        }
    }

    // MARK: - Labels

    private static func vmLines(_ vm: VM) -> [String] {
        var lines = [vm.name]
        switch vm.outcome {
        case .blocked(let code, let ports): lines.append("blocked: \(ports.map(String.init).joined(separator: ", ")) (\(code))")
        // Items only in state have no VM to evaluate.
        case .undetermined where !vm.passages.isEmpty: lines.append("backup storage undetermined")
        default: break
        }
        return lines + presenceLines(vm.presence, kind: .protectedItem)
    }

    /// A protected VM's style.
    private static func style(of vm: VM) -> Diagram.Style {
        switch vm.presence {
        case .stateOnly: return .stateOnly
        case .stopped: return .stopped
        default: break
        }
        if case .blocked = vm.outcome { return .blocked }
        return .protected
    }

    /// "150 VMs", then how many are blocked, only in state or stopped.
    private static func countLines(_ vms: [VM], noun: String) -> [String] {
        var lines = [counted(vms.count, noun)]
        lines += blockedLine(vms)
        let stateOnly = vms.count { $0.presence == .stateOnly }
        let stopped = vms.count { $0.presence == .stopped }
        let new = vms.count { $0.presence == .new }
        if new > 0 { lines.append("\(grouped(new)) not yet applied") }
        if stateOnly > 0 { lines.append("\(grouped(stateOnly)) only in state") }
        if stopped > 0 { lines.append("\(grouped(stopped)) stopped") }
        return lines
    }

    private static func anyBlocked(_ vms: [VM]) -> Bool {
        vms.contains { if case .blocked = $0.outcome { true } else { false } }
    }

    private static func blockedLine(_ vms: [VM]) -> [String] {
        var blocked = 0
        var codes: Set<String> = []
        for vm in vms {
            if case .blocked(let code, _) = vm.outcome {
                blocked += 1
                codes.insert(code)
            }
        }
        return blocked == 0 ? [] : ["\(grouped(blocked)) blocked from backup storage (\(codes.sorted().joined(separator: ", ")))"]
    }

    private static func presenceLines(_ presence: Presence, kind: ManagedKind) -> [String] {
        switch presence {
        case .declared, .applied: []
        case .new: ["not yet applied"]
        case .stateOnly: [kind == .protectedItem ? "only in state: protection stops" : "only in state: deleted by the next apply"]
        case .stopped: ["protection stopped, recovery points kept"]
        case .resumes: ["stopped in state: protection resumes"]
        }
    }

    private static func verdictLines(_ nsg: NSG) -> [String] {
        guard nsg.vms > 0 else { return ["no VM lists it"] }
        var lines: [String] = []
        if nsg.blocked > 0 {
            let ports = nsg.blockedPorts.sorted().map(String.init).joined(separator: ", ")
            lines.append("blocks backup storage")
            lines.append("on \(ports) (\(nsg.codes.sorted().joined(separator: ", ")))")
            lines.append("for \(counted(nsg.blocked, "VM")) of \(grouped(nsg.vms))")
        } else if nsg.undetermined > 0 {
            lines.append("backup storage undetermined")
            lines.append("for \(counted(nsg.undetermined, "VM")) of \(grouped(nsg.vms))")
        } else {
            lines.append("reaches backup storage")
            lines.append(counted(nsg.vms, "VM"))
        }
        return lines
    }

    /// Policies by name, the built-in DefaultPolicy last.
    static func policyOrder(_ a: String, _ b: String) -> Bool {
        if (a == BackupPolicy.defaultName) != (b == BackupPolicy.defaultName) { return b == BackupPolicy.defaultName }
        return a < b
    }
}

extension Diagram {
    var nodeCount: Int {
        func count(_ group: Group) -> Int { group.nodes.count + group.groups.reduce(0) { $0 + count($1) } }
        return groups.reduce(0) { $0 + count($1) }
    }
}
