/// Gives every resource its identity and binds references: a second declaration of the same
/// identity is TR009 (and dropped, so later rules see one resource); a reference that names
/// nothing, or more than one resource, is TR010.
struct Binder {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func bind(_ estate: inout Estate) {
        let vaults = uniqueIndex(&estate.vaults, kind: "Vault", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }
        let vms = uniqueIndex(&estate.virtualMachines, kind: "VirtualMachine", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }
        let nsgs = uniqueIndex(&estate.networkSecurityGroups, kind: "NetworkSecurityGroup", id: \.id) {
            ($0.subscription.value, $0.resourceGroup.value, $0.name)
        }

        for index in estate.policies.indices {
            let policy = estate.policies[index]
            estate.policies[index].vaultIndex = resolve(policy.vault, in: vaults, subscription: policy.subscription?.value)
        }
        estate.policies.removeAll { $0.vaultIndex == nil }
        unique(&estate.policies, kind: "BackupPolicy", key: { "\($0.vaultIndex!)/\($0.name.value.asciiLowercased())" },
               id: { [vaults = estate.vaults] in ResourceID.backupPolicy(vaultID: vaults[$0.vaultIndex!].id, name: $0.name.value) },
               name: \.name)
        estate.policiesOfVault = Array(repeating: [], count: estate.vaults.count)
        for (index, policy) in estate.policies.enumerated() {
            estate.policiesOfVault[policy.vaultIndex!].append(index)
        }

        for index in estate.networkRules.indices {
            let rule = estate.networkRules[index]
            estate.networkRules[index].nsgIndex = resolve(rule.nsg, in: nsgs, subscription: rule.subscription?.value)
        }
        estate.networkRules.removeAll { $0.nsgIndex == nil }
        unique(&estate.networkRules, kind: "NetworkRule", key: { "\($0.nsgIndex!)/\($0.rule.name.value.asciiLowercased())" },
               id: { [nsgs = estate.networkSecurityGroups] in
                   ResourceID.securityRule(nsgID: nsgs[$0.nsgIndex!].id, name: $0.rule.name.value) },
               name: \.rule.name)
        estate.networkRulesOfNSG = Array(repeating: [], count: estate.networkSecurityGroups.count)
        for (index, rule) in estate.networkRules.enumerated() {
            estate.networkRulesOfNSG[rule.nsgIndex!].append(index)
        }

        for index in estate.virtualMachines.indices where !estate.virtualMachines[index].networkSecurityGroups.isEmpty {
            let vm = estate.virtualMachines[index]
            estate.virtualMachines[index].nsgIndices = vm.networkSecurityGroups.map {
                resolve($0, in: nsgs, subscription: nil, preferring: vm.subscription.value)
            }
        }

        estate.protectionsOfVM = Array(repeating: [], count: estate.virtualMachines.count)
        for index in estate.protections.indices {
            var protection = estate.protections[index]
            protection.vaultIndex = resolve(protection.vault, in: vaults, subscription: protection.subscription?.value)
            if let vault = protection.vaultIndex {
                protection.policyBinding = bindPolicy(protection, vault: vault, estate: estate)
            }
            let preferred = protection.vaultIndex.map { estate.vaults[$0].subscription.value }
            protection.vmIndices = protection.vms.map { resolve($0, in: vms, subscription: nil, preferring: preferred) }
            for (entry, vm) in protection.vmIndices.enumerated() {
                if let vm { estate.protectionsOfVM[vm].append((index, entry)) }
            }
            estate.protections[index] = protection
        }
    }

    /// Indexes resources identified by subscription, resource group and name, reporting a second
    /// declaration of one identity (TR009) and dropping it. Duplicates share a name, so they are
    /// found in the index's name buckets without a second table of identities.
    private mutating func uniqueIndex<R>(_ resources: inout [R], kind: String, id: (R) -> String,
                                         identity: (R) -> (String, String, Located<String>)) -> ReferenceIndex {
        let index = ReferenceIndex(kind: kind, resources.map(identity))
        let duplicates = index.duplicates()
        guard !duplicates.isEmpty else { return index }
        drop(duplicates, from: &resources, kind: kind, id: id, name: { identity($0).2 })
        return ReferenceIndex(kind: kind, resources.map(identity))
    }

    /// A protection's policy: declared in its vault, or the vault's built-in DefaultPolicy. A name
    /// that another vault holds is left unresolved for TR303; a name found nowhere is TR010.
    private mutating func bindPolicy(_ protection: Protection, vault: Int, estate: Estate) -> PolicyBinding {
        let name = protection.policyName
        let key = name.lowercased()
        if let index = estate.policiesOfVault[vault].first(where: { estate.policies[$0].name.value.lowercased() == key }) {
            return .declared(index)
        }
        if key == BackupPolicy.defaultName.lowercased() { return .builtinDefault }
        guard let policy = protection.policy else { return .unresolved }
        if !estate.policies.contains(where: { $0.name.value.lowercased() == key }) {
            let names = estate.policiesOfVault[vault].map { estate.policies[$0].name.value } + [BackupPolicy.defaultName]
            diagnostics.append(Diagnostic(
                "TR010", .error, "no BackupPolicy named \"\(name)\" is declared", at: policy.range,
                help: Suggestion.nearest(to: name, in: names).map { "did you mean \"\($0)\"?" }
                    ?? "declare the policy, or omit `policy:` to use \(BackupPolicy.defaultName)"))
        }
        return .unresolved
    }

    /// Keeps the first resource of each identity and reports the others (TR009). `key` is the
    /// identity's comparison form; `id` the resource ID, built only for the message.
    private mutating func unique<R>(_ resources: inout [R], kind: String, key: (R) -> String, id: (R) -> String,
                                    name: (R) -> Located<String>) {
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
    private mutating func drop<R>(_ duplicates: [(first: Int, duplicate: Int)], from resources: inout [R], kind: String,
                                  id: (R) -> String, name: (R) -> Located<String>) {
        guard !duplicates.isEmpty else { return }
        for (first, duplicate) in duplicates {
            diagnostics.append(Diagnostic(
                "TR009", .error, "\(kind) \(id(resources[duplicate])) is declared twice", at: name(resources[duplicate]).range,
                notes: [DiagnosticNote("first declared here", at: name(resources[first]).range)],
                help: "remove one declaration, or give this one another name"))
        }
        let dropped = Set(duplicates.map(\.duplicate))
        resources = resources.indices.filter { !dropped.contains($0) }.map { resources[$0] }
    }

    /// Resolves a reference (name, `resourceGroup/name` or resource ID) to exactly one resource.
    /// `subscription` restricts the candidates; `preferring` breaks ties in favour of one subscription.
    private mutating func resolve(_ reference: Located<String>, in index: ReferenceIndex, subscription: String?,
                                  preferring preferred: String? = nil) -> Int? {
        var candidates = index.candidates(for: reference.value)
        if let subscription { candidates = candidates.filter { index.entries[$0].subscription == subscription } }
        if candidates.count > 1, let preferred {
            let inPreferred = candidates.filter { index.entries[$0].subscription == preferred }
            if !inPreferred.isEmpty { candidates = inPreferred }
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty {
            let scope = subscription.map { " in subscription \($0)" } ?? ""
            let suggestion = Suggestion.nearest(to: ReferenceIndex.lastComponent(reference.value),
                                                in: index.entries.map(\.name.value))
            diagnostics.append(Diagnostic(
                "TR010", .error, "no \(index.kind) named \"\(reference.value)\" is declared\(scope)", at: reference.range,
                help: suggestion.map { "did you mean \"\($0)\"?" }))
        } else {
            diagnostics.append(Diagnostic(
                "TR010", .error, "\"\(reference.value)\" matches \(candidates.count) \(index.kind) resources", at: reference.range,
                notes: candidates.map { DiagnosticNote("candidate declared here", at: index.entries[$0].name.range) },
                help: index.kind == "Vault" || index.kind == "NetworkSecurityGroup"
                    ? "add `subscription:` or use the resource group and name (`resourceGroup/name`)"
                    : "use `resourceGroup/name` or the full resource ID"))
        }
        return nil
    }
}

/// Lookup of declared resources of one kind by name, `resourceGroup/name` or resource ID.
struct ReferenceIndex {
    struct Entry {
        var subscription: String
        var resourceGroup: String
        var name: Located<String>
    }

    let kind: String
    let entries: [Entry]
    /// Resources by lowercased name: Azure names compare case-insensitively.
    private var byName: [String: [Int]] = [:]

    init(kind: String, _ entries: [(String, String, Located<String>)]) {
        self.kind = kind
        self.entries = entries.map { Entry(subscription: $0.0, resourceGroup: $0.1, name: $0.2) }
        byName.reserveCapacity(entries.count)
        for (index, entry) in self.entries.enumerated() {
            byName[entry.name.value.asciiLowercased(), default: []].append(index)
        }
    }

    static func lastComponent(_ reference: String) -> String {
        reference.split(separator: "/").last.map(String.init) ?? reference
    }

    /// Pairs of (first, later) declarations of one identity: same subscription, resource group
    /// and name, compared case-insensitively.
    func duplicates() -> [(first: Int, duplicate: Int)] {
        var pairs: [(first: Int, duplicate: Int)] = []
        for bucket in byName.values where bucket.count > 1 {
            var firstOfGroup: [String: Int] = [:]
            for index in bucket {
                let group = "\(entries[index].subscription)/\(entries[index].resourceGroup.asciiLowercased())"
                if let first = firstOfGroup[group] {
                    pairs.append((first, index))
                } else {
                    firstOfGroup[group] = index
                }
            }
        }
        return pairs.sorted { $0.duplicate < $1.duplicate }
    }

    func candidates(for reference: String) -> [Int] {
        guard let slash = reference.utf8.firstIndex(of: UInt8(ascii: "/")) else {
            return matches(name: reference)
        }
        if slash == reference.startIndex {
            guard let id = ResourceID.parse(reference) else { return [] }
            return matches(name: id.name).filter {
                entries[$0].subscription == id.subscription.lowercased()
                    && Self.sameName(entries[$0].resourceGroup, id.resourceGroup)
            }
        }
        let group = reference[..<slash]
        let name = reference[reference.utf8.index(after: slash)...]
        guard !name.utf8.contains(UInt8(ascii: "/")) else { return [] }
        return matches(name: String(name)).filter { Self.sameName(entries[$0].resourceGroup, group) }
    }

    private func matches(name: String) -> [Int] {
        byName[name.asciiLowercased()] ?? []
    }

    private static func sameName(_ a: String, _ b: some StringProtocol) -> Bool {
        a == b || a.lowercased() == b.lowercased()
    }
}
