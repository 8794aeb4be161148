/// Gives every resource its identity and binds references: a second declaration of the same
/// identity is TR009 (and dropped, so later rules see one resource); a reference that names
/// nothing, or more than one resource, is TR010.
struct Binder {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func bind(_ estate: inout Estate) {
        estate.vaults = unique(estate.vaults, kind: "Vault", id: \.id, name: \.name)
        estate.virtualMachines = unique(estate.virtualMachines, kind: "VirtualMachine", id: \.id, name: \.name)
        estate.networkSecurityGroups = unique(estate.networkSecurityGroups, kind: "NetworkSecurityGroup", id: \.id, name: \.name)

        let vaults = ReferenceIndex(kind: "Vault", estate.vaults.map { ($0.subscription.value, $0.resourceGroup.value, $0.name) })
        let nsgs = ReferenceIndex(kind: "NetworkSecurityGroup",
                                  estate.networkSecurityGroups.map { ($0.subscription.value, $0.resourceGroup.value, $0.name) })
        let vms = ReferenceIndex(kind: "VirtualMachine",
                                 estate.virtualMachines.map { ($0.subscription.value, $0.resourceGroup.value, $0.name) })

        for index in estate.policies.indices {
            let policy = estate.policies[index]
            estate.policies[index].vaultIndex = resolve(policy.vault, in: vaults, subscription: policy.subscription?.value)
        }
        estate.policies = unique(estate.policies.filter { $0.vaultIndex != nil }, kind: "BackupPolicy",
                                 id: { [vaults = estate.vaults] in
                                     ResourceID.backupPolicy(vaultID: vaults[$0.vaultIndex!].id, name: $0.name.value) },
                                 name: \.name)
        estate.policiesOfVault = Array(repeating: [], count: estate.vaults.count)
        for (index, policy) in estate.policies.enumerated() {
            estate.policiesOfVault[policy.vaultIndex!].append(index)
        }

        for index in estate.networkRules.indices {
            let rule = estate.networkRules[index]
            estate.networkRules[index].nsgIndex = resolve(rule.nsg, in: nsgs, subscription: rule.subscription?.value)
        }
        estate.networkRules = unique(estate.networkRules.filter { $0.nsgIndex != nil }, kind: "NetworkRule",
                                     id: { [nsgs = estate.networkSecurityGroups] in
                                         ResourceID.securityRule(nsgID: nsgs[$0.nsgIndex!].id, name: $0.rule.name.value) },
                                     name: \.rule.name)
        estate.networkRulesOfNSG = Array(repeating: [], count: estate.networkSecurityGroups.count)
        for (index, rule) in estate.networkRules.enumerated() {
            estate.networkRulesOfNSG[rule.nsgIndex!].append(index)
        }

        for index in estate.virtualMachines.indices {
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

    /// Keeps the first resource of each identity and reports the others (TR009).
    private mutating func unique<R>(_ resources: [R], kind: String, id: (R) -> String,
                                    name: (R) -> Located<String>) -> [R] {
        var first: [String: Int] = [:]
        first.reserveCapacity(resources.count)
        var kept: [R] = []
        kept.reserveCapacity(resources.count)
        for resource in resources {
            let identity = id(resource)
            if let earlier = first[ResourceID.key(identity)] {
                diagnostics.append(Diagnostic(
                    "TR009", .error, "\(kind) \(identity) is declared twice", at: name(resource).range,
                    notes: [DiagnosticNote("first declared here", at: name(kept[earlier]).range)],
                    help: "remove one declaration, or give this one another name"))
                continue
            }
            first[ResourceID.key(identity)] = kept.count
            kept.append(resource)
        }
        return kept
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
    private var byName: [String: [Int]] = [:]

    init(kind: String, _ entries: [(String, String, Located<String>)]) {
        self.kind = kind
        self.entries = entries.map { Entry(subscription: $0.0, resourceGroup: $0.1, name: $0.2) }
        byName.reserveCapacity(entries.count)
        for (index, entry) in self.entries.enumerated() {
            byName[entry.name.value.lowercased(), default: []].append(index)
        }
    }

    static func lastComponent(_ reference: String) -> String {
        reference.split(separator: "/").last.map(String.init) ?? reference
    }

    func candidates(for reference: String) -> [Int] {
        if reference.hasPrefix("/") {
            guard let id = ResourceID.parse(reference) else { return [] }
            return (byName[id.name.lowercased()] ?? []).filter {
                entries[$0].subscription == id.subscription.lowercased()
                    && entries[$0].resourceGroup.lowercased() == id.resourceGroup.lowercased()
            }
        }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2 {
            let group = parts[0].lowercased()
            return (byName[parts[1].lowercased()] ?? []).filter { entries[$0].resourceGroup.lowercased() == group }
        }
        return byName[reference.lowercased()] ?? []
    }
}
