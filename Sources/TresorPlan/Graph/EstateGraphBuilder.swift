import TresorFrontEnd
import TresorModel
import TresorState

extension EstateGraph {
    /// Sorts the estate (and, with state, what only state holds) into subscriptions and regions.
    struct Builder {
        let estate: Estate
        let state: State?
        private let reachability: BackupReachability
        /// By lowercased "subscription/region".
        private var regions: [String: (subscription: String, region: Region)] = [:]
        /// By vault key: where the vault's entry is, and its policies by name.
        private var vaults: [String: (region: String, index: Int, policies: [String: Int])] = [:]
        /// Keys of the state resources the manifests declare.
        private var declared: Set<String> = []

        init(estate: Estate, state: State?) {
            self.estate = estate
            self.state = state
            reachability = BackupReachability(estate)
        }

        mutating func collect() {
            for (index, vault) in estate.vaults.enumerated() {
                let key = ResourceID.key(vault.id)
                declared.insert(key)
                var details = vault.effectiveReplication.rawValue
                if vault.crossRegionRestore?.value == true { details += " · cross-region restore" }
                addVault(
                    key: key, subscription: vault.subscription.value, region: vault.region.value,
                    Vault(name: vault.name.value, details: details, presence: presence(of: key)))
                for policy in estate.policiesOfVault[index] {
                    guard let id = estate.policyID(policy) else { continue }
                    declared.insert(ResourceID.key(id))
                    addPolicy(
                        vault: key,
                        Policy(
                            name: estate.policies[policy].name.value, details: Self.details(estate.policies[policy]),
                            presence: presence(of: ResourceID.key(id))))
                }
            }
            for protection in estate.protections {
                guard let vaultIndex = protection.vaultIndex, protection.policyBinding != .unresolved else { continue }
                let vault = estate.vaults[vaultIndex]
                let vaultKey = ResourceID.key(vault.id)
                if protection.policyBinding == .builtinDefault {
                    addPolicy(
                        vault: vaultKey,
                        Policy(
                            name: BackupPolicy.defaultName, details: ["Daily 19:00 UTC", "keeps 30d (built in)"],
                            presence: vaults[vaultKey].map { regions[$0.region]!.region.vaults[$0.index].presence } ?? .declared))
                }
                for vmIndex in protection.vmIndices {
                    guard let vmIndex else { continue }
                    let vm = estate.virtualMachines[vmIndex]
                    let key = ResourceID.key(
                        ResourceID.protectedItem(vaultID: vault.id, vmResourceGroup: vm.resourceGroup.value, vmName: vm.name.value))
                    guard declared.insert(key).inserted else { continue }
                    addVM(vault: vaultKey, policy: protection.policyName, self.vm(vmIndex, presence: presence(of: key)))
                }
            }
            for (index, vm) in estate.virtualMachines.enumerated() where estate.protectionsOfVM[index].isEmpty {
                let key = regionKey(vm.subscription.value, vm.region.value)
                ensureRegion(key, subscription: vm.subscription.value, region: vm.region.value)
                regions[key]!.region.unprotected.append(self.vm(index, presence: .declared))
            }
            for (index, nsg) in nsgVerdicts().enumerated() {
                let declaration = estate.networkSecurityGroups[index]
                let key = regionKey(declaration.subscription.value, declaration.region.value)
                ensureRegion(key, subscription: declaration.subscription.value, region: declaration.region.value)
                regions[key]!.region.nsgs.append(nsg)
            }
            addStateOnly()
        }

        /// Subscriptions by ID, regions by name, vaults, policies and VMs by name (the built-in
        /// DefaultPolicy last), NSGs by name.
        func sorted() -> [Subscription] {
            var bySubscription: [String: Subscription] = [:]
            for (subscription, var region) in regions.values {
                region.vaults.sort { $0.name < $1.name }
                for vault in region.vaults.indices {
                    region.vaults[vault].policies.sort { EstateGraph.policyOrder($0.name, $1.name) }
                    for policy in region.vaults[vault].policies.indices {
                        region.vaults[vault].policies[policy].vms.sort { $0.name < $1.name }
                    }
                }
                region.unprotected.sort { $0.name < $1.name }
                region.nsgs.sort { $0.name < $1.name }
                bySubscription[subscription.lowercased(), default: Subscription(id: subscription)].regions.append(region)
            }
            return bySubscription.keys.sorted().map { key in
                var subscription = bySubscription[key]!
                subscription.regions.sort { $0.name < $1.name }
                return subscription
            }
        }

        private func presence(of key: String) -> Presence {
            guard let state else { return .declared }
            guard let stored = state.resource(forKey: key) else { return .new }
            return stored.protectionState == .stopped ? .resumes : .applied
        }

        private func vm(_ index: Int, presence: Presence) -> VM {
            VM(
                name: estate.virtualMachines[index].name.value, presence: presence,
                outcome: reachability.outcomes[index], passages: reachability.passages[index])
        }

        /// By NSG: what the VMs that list it meet there.
        private func nsgVerdicts() -> [NSG] {
            var nsgs = estate.networkSecurityGroups.indices.map { NSG(index: $0, name: estate.networkSecurityGroups[$0].name.value) }
            for passages in reachability.passages {
                for passage in passages {
                    nsgs[passage.nsg].vms += 1
                    switch passage.outcome {
                    case .reaches: nsgs[passage.nsg].reaching += 1
                    case .undetermined: nsgs[passage.nsg].undetermined += 1
                    case .blocked(let code, let ports):
                        nsgs[passage.nsg].blocked += 1
                        nsgs[passage.nsg].blockedPorts += ports.filter { !nsgs[passage.nsg].blockedPorts.contains($0) }
                        if !nsgs[passage.nsg].codes.contains(code) { nsgs[passage.nsg].codes.append(code) }
                    }
                }
            }
            return nsgs
        }

        /// Vaults, policies and protected items that state holds and the manifests do not declare.
        private mutating func addStateOnly() {
            guard let state else { return }
            let stored = state.resources.filter { !declared.contains($0.key) }
            for resource in stored where resource.kind == .vault {
                guard let parsed = ResourceID.parse(resource.id) else { continue }
                let region = resource.attributes["region"]?.stringValue ?? "unknown region"
                addVault(
                    key: resource.key, subscription: parsed.subscription, region: region,
                    Vault(name: resource.name, details: resource.attributes["replication"]?.stringValue ?? "", presence: .stateOnly))
            }
            for resource in stored where resource.kind == .backupPolicy {
                guard let vault = resource.vaultKey, vaults[vault] != nil else { continue }
                addPolicy(vault: vault, Policy(name: resource.name, details: [], presence: .stateOnly))
            }
            for resource in stored where resource.kind == .protectedItem {
                guard let vault = resource.vaultKey, let entry = vaults[vault] else { continue }
                let policy = resource.attributes[ProtectedItemAttribute.policy]?.stringValue ?? BackupPolicy.defaultName
                if entry.policies[policy] == nil {
                    addPolicy(vault: vault, Policy(name: policy, details: [], presence: .stateOnly))
                }
                addVM(
                    vault: vault, policy: policy,
                    VM(
                        name: resource.name, presence: resource.protectionState == .stopped ? .stopped : .stateOnly,
                        outcome: .undetermined, passages: []))
            }
        }

        private func regionKey(_ subscription: String, _ region: String) -> String {
            subscription.lowercased() + "/" + region.lowercased()
        }

        private mutating func ensureRegion(_ key: String, subscription: String, region: String) {
            if regions[key] == nil { regions[key] = (subscription, Region(name: region.lowercased())) }
        }

        private mutating func addVault(key: String, subscription: String, region: String, _ vault: Vault) {
            let regionKey = regionKey(subscription, region)
            ensureRegion(regionKey, subscription: subscription, region: region)
            vaults[key] = (regionKey, regions[regionKey]!.region.vaults.count, [:])
            regions[regionKey]!.region.vaults.append(vault)
        }

        /// Adds a policy to a vault unless it has one of that name.
        private mutating func addPolicy(vault key: String, _ policy: Policy) {
            guard let entry = vaults[key], entry.policies[policy.name] == nil else { return }
            vaults[key]!.policies[policy.name] = regions[entry.region]!.region.vaults[entry.index].policies.count
            regions[entry.region]!.region.vaults[entry.index].policies.append(policy)
        }

        private mutating func addVM(vault key: String, policy: String, _ vm: VM) {
            guard let entry = vaults[key], let policyIndex = entry.policies[policy] else { return }
            regions[entry.region]!.region.vaults[entry.index].policies[policyIndex].vms.append(vm)
        }

        /// "Daily 19:00 UTC" and "keeps 30d · 12w · 12m · 7y".
        static func details(_ policy: BackupPolicy) -> [String] {
            let schedule = policy.schedule
            var when = schedule.frequency.value.rawValue
            if let days = schedule.days?.value, !days.isEmpty {
                when += " " + days.map { String($0.value.rawValue.prefix(3)) }.joined(separator: " ")
            }
            when += " \(schedule.time.value) \(schedule.effectiveTimeZone)"
            var kept: [String] = []
            if let daily = policy.retention?.daily { kept.append("\(daily.value)d") }
            if let weekly = policy.retention?.weekly { kept.append("\(weekly.weeks.value)w") }
            if let monthly = policy.retention?.monthly { kept.append("\(monthly.count.value)m") }
            if let yearly = policy.retention?.yearly { kept.append("\(yearly.count.value)y") }
            return kept.isEmpty ? [when] : [when, "keeps " + kept.joined(separator: " · ")]
        }
    }
}
