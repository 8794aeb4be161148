import TresorModel
import TresorSupport

/// Gives every resource its identity and binds references: a second declaration of the same
/// identity is TR009 (and dropped, so later rules see one resource); a reference that names
/// nothing, or more than one resource, is TR010.
struct Binder {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func bind(_ resources: consuming ParsedResources) -> Estate {
        // The arrays move into the estate: binding edits them in place, without a copy.
        var estate = Estate()
        swap(&estate.vaults, &resources.vaults)
        swap(&estate.virtualMachines, &resources.virtualMachines)
        swap(&estate.networkSecurityGroups, &resources.networkSecurityGroups)
        swap(&estate.protections, &resources.protections)
        let vaults = uniqueIndex(&estate.vaults, kind: "Vault", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }
        let vms = uniqueIndex(&estate.virtualMachines, kind: "VirtualMachine", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }
        let nsgs = uniqueIndex(&estate.networkSecurityGroups, kind: "NetworkSecurityGroup", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }

        // Policies and NetworkRules whose vault or NSG resolves, each with it; then one of each identity.
        var boundPolicies: [(policy: BackupPolicy, vault: Int)] = resources.policies.compactMap { policy in
            vaults.resolve(policy.vault, subscription: policy.subscription?.value, diagnostics: &diagnostics).map { (policy, $0) }
        }
        unique(
            &boundPolicies, kind: "BackupPolicy", key: { "\($0.vault)/\($0.policy.name.value.asciiLowercased())" },
            id: { [vaults = estate.vaults] in ResourceID.backupPolicy(vaultID: vaults[$0.vault].id, name: $0.policy.name.value) },
            name: { $0.policy.name })
        estate.policiesOfVault = Array(repeating: [], count: estate.vaults.count)
        estate.policies.reserveCapacity(boundPolicies.count)
        for (index, (policy, vault)) in boundPolicies.enumerated() {
            estate.policies.append(policy)
            estate.policies[index].vaultIndex = vault
            estate.policiesOfVault[vault].append(index)
        }

        var boundRules: [(rule: NetworkRule, nsg: Int)] = resources.networkRules.compactMap { rule in
            nsgs.resolve(rule.nsg, subscription: rule.subscription?.value, diagnostics: &diagnostics).map { (rule, $0) }
        }
        unique(
            &boundRules, kind: "NetworkRule", key: { "\($0.nsg)/\($0.rule.rule.name.value.asciiLowercased())" },
            id: { [nsgs = estate.networkSecurityGroups] in ResourceID.securityRule(nsgID: nsgs[$0.nsg].id, name: $0.rule.rule.name.value) },
            name: { $0.rule.rule.name })
        estate.networkRulesOfNSG = Array(repeating: [], count: estate.networkSecurityGroups.count)
        estate.networkRules.reserveCapacity(boundRules.count)
        for (index, (rule, nsg)) in boundRules.enumerated() {
            estate.networkRules.append(rule)
            estate.networkRules[index].nsgIndex = nsg
            estate.networkRulesOfNSG[nsg].append(index)
        }

        // The VMs' NSG references and the protections' VM references, the bulk of an estate's
        // references, only read the indices: both passes are spread over the cores. The VMs are
        // taken out of the estate meanwhile, so that setting `nsgIndices` does not copy them all.
        var machines: [VirtualMachine] = []
        swap(&machines, &estate.virtualMachines)
        for (index, (nsgIndices, found)) in Self.resolveNSGs(of: machines, in: nsgs).enumerated() where !nsgIndices.isEmpty {
            machines[index].nsgIndices = nsgIndices
            diagnostics += found
        }
        estate.virtualMachines = machines

        let unbound = estate.protections
        let (policies, policiesOfVault) = (estate.policies, estate.policiesOfVault)
        let vaultSubscriptions = estate.vaults.map(\.subscription.value)
        let bound = Parallel.map(unbound.count, grain: 50) { index in
            var found: [Diagnostic] = []
            var protection = unbound[index]
            protection.vaultIndex = vaults.resolve(
                protection.vault, subscription: protection.subscription?.value,
                diagnostics: &found)
            if let vault = protection.vaultIndex {
                protection.policyBinding = Self.bindPolicy(
                    protection, vault: vault, policies: policies,
                    policiesOfVault: policiesOfVault, diagnostics: &found)
            }
            let preferred = protection.vaultIndex.map { vaultSubscriptions[$0] }
            protection.vmIndices = protection.vms.map {
                vms.resolve($0, subscription: nil, preferring: preferred, diagnostics: &found)
            }
            return (protection, found)
        }
        estate.protections = bound.map(\.0)
        estate.protectionsOfVM = Array(repeating: [], count: estate.virtualMachines.count)
        for (index, (protection, found)) in bound.enumerated() {
            for (entry, vm) in protection.vmIndices.enumerated() {
                if let vm { estate.protectionsOfVM[vm].append((index, entry)) }
            }
            diagnostics += found
        }
        return estate
    }

    /// Each VM's NSG references, resolved with the diagnostics they cause.
    private static func resolveNSGs(of machines: [VirtualMachine], in nsgs: ReferenceIndex) -> [([Int?], [Diagnostic])] {
        Parallel.map(machines.count) { index in
            var found: [Diagnostic] = []
            let subscription = machines[index].subscription.value
            let nsgIndices = machines[index].networkSecurityGroups.map {
                nsgs.resolve($0, subscription: nil, preferring: subscription, diagnostics: &found)
            }
            return (nsgIndices, found)
        }
    }

    /// Indexes resources identified by subscription, resource group and name, reporting a second
    /// declaration of one identity (TR009) and dropping it. Duplicates share a name, so they are
    /// found in the index's name buckets without a second table of identities.
    private mutating func uniqueIndex<R>(
        _ resources: inout [R], kind: String, id: (R) -> String,
        identity: (R) -> (String, String, Located<String>)
    ) -> ReferenceIndex {
        let index = ReferenceIndex(kind: kind, resources, identity: identity)
        let duplicates = index.duplicates()
        guard !duplicates.isEmpty else { return index }
        drop(duplicates, from: &resources, kind: kind, id: id, name: { identity($0).2 })
        return ReferenceIndex(kind: kind, resources, identity: identity)
    }

    /// A protection's policy: declared in its vault, or the vault's built-in DefaultPolicy. A name
    /// that another vault holds is left unresolved for TR303; a name found nowhere is TR010.
    private static func bindPolicy(
        _ protection: Protection, vault: Int, policies: [BackupPolicy], policiesOfVault: [[Int]],
        diagnostics: inout [Diagnostic]
    ) -> PolicyBinding {
        let name = protection.policyName
        let key = name.lowercased()
        if let index = policiesOfVault[vault].first(where: { policies[$0].name.value.lowercased() == key }) {
            return .declared(index)
        }
        if key == BackupPolicy.defaultName.lowercased() { return .builtinDefault }
        guard let policy = protection.policy else { return .unresolved }
        if !policies.contains(where: { $0.name.value.lowercased() == key }) {
            let names = policiesOfVault[vault].map { policies[$0].name.value } + [BackupPolicy.defaultName]
            diagnostics.append(
                ReferenceRule.diagnostic(
                    "no BackupPolicy named \"\(name)\" is declared", at: policy.range,
                    help: Suggestion.nearest(to: name, in: names).map { "did you mean \"\($0)\"?" }
                        ?? "declare the policy, or omit `policy:` to use \(BackupPolicy.defaultName)"))
        }
        return .unresolved
    }

    /// Keeps the first resource of each identity and reports the others (TR009). `key` is the
    /// identity's comparison form; `id` the resource ID, built only for the message.
    private mutating func unique<R>(
        _ resources: inout [R], kind: String, key: (R) -> String, id: (R) -> String,
        name: (R) -> Located<String>
    ) {
        var first: [String: Int] = [:]
        first.reserveCapacity(resources.count)
        var duplicates: [(first: Int, duplicate: Int)] = []
        for (index, resource) in resources.enumerated() {
            let identity = key(resource)
            if let earlier = first[identity] {
                duplicates.append((earlier, index))
            } else {
                first[identity] = index
            }
        }
        drop(duplicates, from: &resources, kind: kind, id: id, name: name)
    }

    /// Reports each later declaration of an identity (TR009) and drops it, in one pass over
    /// `resources` however many duplicates there are.
    private mutating func drop<R>(
        _ duplicates: [(first: Int, duplicate: Int)], from resources: inout [R], kind: String,
        id: (R) -> String, name: (R) -> Located<String>
    ) {
        guard !duplicates.isEmpty else { return }
        for (first, duplicate) in duplicates {
            diagnostics.append(
                DuplicateIdentityRule.diagnostic(
                    "\(kind) \(id(resources[duplicate])) is declared twice", at: name(resources[duplicate]).range,
                    notes: [DiagnosticNote("first declared here", at: name(resources[first]).range)],
                    help: "remove one declaration, or give this one another name"))
        }
        let dropped = Set(duplicates.map(\.duplicate))
        resources = resources.indices.filter { !dropped.contains($0) }.map { resources[$0] }
    }
}

/// Lookup of declared resources of one kind by name, `resourceGroup/name` or resource ID. A class,
/// so that the threads resolving references share it without copying (and retaining) its parts.
package final class ReferenceIndex: Sendable {
    let kind: String
    /// Each resource's identity, one array per part: resolving reads one part at a time.
    private let subscriptions: [String]
    private let resourceGroups: [String]
    private let names: [Located<String>]
    /// The first and last entry of each lowercased name (Azure names compare case-insensitively);
    /// `next` chains the entries that share a name in declaration order, -1 ending the chain.
    /// No array per name: most names have one entry.
    private let byName: [String: Chain]
    private let next: [Int32]

    private struct Chain {
        var first: Int32
        var last: Int32

        /// Makes `position` the chain's last entry and returns the entry before it, if any.
        mutating func append(_ position: Int32) -> Int32? {
            guard last != position else { return nil }
            defer { last = position }
            return last
        }
    }

    init<R>(kind: String, _ resources: [R], identity: (R) -> (String, String, Located<String>)) {
        self.kind = kind
        var subscriptions: [String] = []
        var resourceGroups: [String] = []
        var names: [Located<String>] = []
        subscriptions.reserveCapacity(resources.count)
        resourceGroups.reserveCapacity(resources.count)
        names.reserveCapacity(resources.count)
        // By index: iterating would copy every resource out of the array.
        for index in resources.indices {
            let (subscription, resourceGroup, name) = identity(resources[index])
            subscriptions.append(subscription)
            resourceGroups.append(resourceGroup)
            names.append(name)
        }
        self.subscriptions = subscriptions
        self.resourceGroups = resourceGroups
        self.names = names
        var next = [Int32](repeating: -1, count: resources.count)
        var byName: [String: Chain] = [:]
        byName.reserveCapacity(resources.count)
        for (index, name) in names.enumerated() {
            let position = Int32(index)
            if let previous = byName[name.value.asciiLowercased(), default: Chain(first: position, last: position)]
                .append(position)
            {
                next[Int(previous)] = position
            }
        }
        self.next = next
        self.byName = byName
    }

    /// Pairs of (first, later) declarations of one identity: same subscription, resource group
    /// and name, compared case-insensitively.
    func duplicates() -> [(first: Int, duplicate: Int)] {
        guard next.contains(where: { $0 >= 0 }) else { return [] }
        var pairs: [(first: Int, duplicate: Int)] = []
        for chain in byName.values where chain.first != chain.last {
            var firstOfGroup: [String: Int] = [:]
            var position = Int(chain.first)
            while position >= 0 {
                let group = "\(subscriptions[position])/\(resourceGroups[position].asciiLowercased())"
                if let first = firstOfGroup[group] {
                    pairs.append((first, position))
                } else {
                    firstOfGroup[group] = position
                }
                position = Int(next[position])
            }
        }
        return pairs.sorted { $0.duplicate < $1.duplicate }
    }

    /// Resolves a reference to exactly one resource, or reports why it cannot (TR010).
    /// `subscription` restricts the candidates; `preferring` breaks ties in favour of one subscription.
    func resolve(
        _ reference: Located<String>, subscription: String?, preferring preferred: String? = nil,
        diagnostics: inout [Diagnostic]
    ) -> Int? {
        // Nearly every reference names one resource: find it without collecting candidates.
        var only = -1
        var matches = 0
        forEachCandidate(reference.value) { index in
            guard subscription == nil || subscriptions[index] == subscription else { return }
            only = index
            matches += 1
        }
        if matches == 1 { return only }

        var candidates: [Int] = []
        forEachCandidate(reference.value) { index in
            if subscription == nil || subscriptions[index] == subscription { candidates.append(index) }
        }
        if candidates.count > 1, let preferred {
            let inPreferred = candidates.filter { subscriptions[$0] == preferred }
            if inPreferred.count == 1 { return inPreferred[0] }
            if !inPreferred.isEmpty { candidates = inPreferred }
        }
        if candidates.isEmpty {
            let scope = subscription.map { " in subscription \($0)" } ?? ""
            let suggestion = Suggestion.nearest(to: ResourceID.lastComponent(reference.value), in: names.map(\.value))
            diagnostics.append(
                ReferenceRule.diagnostic(
                    "no \(kind) named \"\(reference.value)\" is declared\(scope)", at: reference.range,
                    help: suggestion.map { "did you mean \"\($0)\"?" }))
        } else {
            diagnostics.append(
                ReferenceRule.diagnostic(
                    "\"\(reference.value)\" matches \(candidates.count) \(kind) resources", at: reference.range,
                    notes: candidates.map { DiagnosticNote("candidate declared here", at: names[$0].range) },
                    help: kind == "Vault" || kind == "NetworkSecurityGroup"
                        ? "add `subscription:` or use the resource group and name (`resourceGroup/name`)"
                        : "use `resourceGroup/name` or the full resource ID"))
        }
        return nil
    }

    /// Calls `body` with each entry a reference may mean, in declaration order: by name, by
    /// `resourceGroup/name`, or by resource ID.
    private func forEachCandidate(_ reference: String, _ body: (Int) -> Void) {
        var text = reference
        let slash = text.withUTF8 { $0.firstIndex(of: UInt8(ascii: "/")) }
        guard let slash else {
            forEach(named: reference, body)
            return
        }
        if slash == 0 {
            guard let id = ResourceID.parse(reference) else { return }
            let subscription = id.subscription.lowercased()
            forEach(named: id.name) { index in
                if subscriptions[index] == subscription, Self.sameName(resourceGroups[index], id.resourceGroup) {
                    body(index)
                }
            }
            return
        }
        let (group, name) = text.withUTF8 { bytes in
            (String(decoding: bytes[..<slash], as: UTF8.self), String(decoding: bytes[(slash + 1)...], as: UTF8.self))
        }
        guard !name.utf8.contains(UInt8(ascii: "/")) else { return }
        forEach(named: name) { index in
            if Self.sameName(resourceGroups[index], group) { body(index) }
        }
    }

    private func forEach(named name: String, _ body: (Int) -> Void) {
        guard var position = byName[name.asciiLowercased()]?.first else { return }
        while position >= 0 {
            body(Int(position))
            position = next[Int(position)]
        }
    }

    private static func sameName(_ a: String, _ b: String) -> Bool {
        a == b || a.asciiLowercased() == b.asciiLowercased()
    }
}
