import TresorModel

/// Brings inventory facts into the estate. A VM or NSG found only in an inventory joins the
/// estate as it is. One that a manifest also declares stays the manifest's and takes from the
/// inventory what the manifest leaves out; every fact that both state must agree (TR011, at the
/// manifest's value with a note at the inventory's).
struct InventoryMerge {
    private(set) var diagnostics: [Diagnostic] = []

    /// NSGs whose rules an inventory supplies, or whose declared rules must match an inventory's,
    /// by identity key. Settled after binding, when the NetworkRules that tresor owns are known.
    private var ruleChecks: [(key: String, inventory: NetworkSecurityGroup?)] = []

    /// Before binding: adds and compares VMs and NSGs.
    mutating func merge(_ facts: InventoryFacts, into estate: inout ParsedResources) {
        guard !facts.virtualMachines.isEmpty || !facts.networkSecurityGroups.isEmpty else { return }
        var declaredVMs: [String: Int] = [:]
        for (index, vm) in estate.virtualMachines.enumerated() where declaredVMs[ResourceID.key(vm.id)] == nil {
            declaredVMs[ResourceID.key(vm.id)] = index
        }
        var declaredNSGs: [String: Int] = [:]
        for (index, nsg) in estate.networkSecurityGroups.enumerated() where declaredNSGs[ResourceID.key(nsg.id)] == nil {
            declaredNSGs[ResourceID.key(nsg.id)] = index
        }
        // `az vm list` does not name NSGs; `az network nsg list` names the network interfaces of each.
        var nsgsOfInterface: [String: [Located<String>]] = [:]
        for inventory in facts.networkSecurityGroups {
            for interface in inventory.networkInterfaces {
                nsgsOfInterface[interface.value, default: []].append(Located(inventory.nsg.id, at: interface.range))
            }
        }
        for inventory in facts.virtualMachines {
            let nsgs = inventory.networkInterfaces.flatMap { nsgsOfInterface[$0] ?? [] }
            if let index = declaredVMs[ResourceID.key(inventory.vm.id)] {
                compare(&estate.virtualMachines[index], with: inventory)
                if estate.virtualMachines[index].networkSecurityGroups.isEmpty {
                    estate.virtualMachines[index].networkSecurityGroups = nsgs
                }
            } else {
                var vm = inventory.vm
                vm.networkSecurityGroups = nsgs
                estate.virtualMachines.append(vm)
            }
        }
        for inventory in facts.networkSecurityGroups {
            let key = ResourceID.key(inventory.nsg.id)
            if let index = declaredNSGs[key] {
                let declared = estate.networkSecurityGroups[index]
                let what = "NetworkSecurityGroup \(declared.name.value)"
                if declared.region.value.lowercased() != inventory.nsg.region.value.lowercased() {
                    disagree(what, "region", declared.region, inventory.nsg.region)
                }
                if declared.rulesRange == nil {
                    estate.networkSecurityGroups[index].rules = inventory.nsg.rules
                    ruleChecks.append((key, nil))
                } else {
                    ruleChecks.append((key, inventory.nsg))
                }
            } else {
                estate.networkSecurityGroups.append(inventory.nsg)
                ruleChecks.append((key, nil))
            }
        }
    }

    /// After binding: the inventory lists the NetworkRules that tresor owns and has applied, as
    /// rules of their NSG; they are tresor's, not observed facts, so they are left out.
    mutating func settleRules(in estate: inout Estate) {
        guard !ruleChecks.isEmpty else { return }
        var indexOf: [String: Int] = [:]
        for (index, nsg) in estate.networkSecurityGroups.enumerated() { indexOf[ResourceID.key(nsg.id)] = index }
        for (key, inventory) in ruleChecks {
            guard let index = indexOf[key] else { continue }
            let managed = Set(estate.networkRulesOfNSG[index].map { estate.networkRules[$0].rule.name.value.lowercased() })
            guard let inventory else {
                estate.networkSecurityGroups[index].rules.removeAll { managed.contains($0.name.value.lowercased()) }
                continue
            }
            compareRules(
                of: estate.networkSecurityGroups[index], with: inventory.rules.filter { !managed.contains($0.name.value.lowercased()) },
                inventory: inventory)
        }
    }

    // MARK: Comparing

    private mutating func compare(_ vm: inout VirtualMachine, with inventory: InventoryVM) {
        let what = "VirtualMachine \(vm.name.value)"
        let observed = inventory.vm
        if vm.region.value.lowercased() != observed.region.value.lowercased() {
            disagree(what, "region", vm.region, observed.region)
        }
        if vm.os.type.value != observed.os.type.value {
            disagree(what, "os.type", vm.os.type.map(\.rawValue), observed.os.type.map(\.rawValue))
        } else if inventory.osVersionKnown, Self.versionNumbers(vm.os.version.value) != Self.versionNumbers(observed.os.version.value) {
            disagree(what, "os.version", vm.os.version, observed.os.version)
        }
        if let deployment = vm.deployment, deployment.value != .ResourceManager {
            disagree(what, "deployment", deployment.map(\.rawValue), Located(DeploymentModel.ResourceManager.rawValue, at: inventory.type))
        }
        if let observedState = observed.powerState {
            if let state = vm.powerState {
                if state.value != observedState.value { disagree(what, "powerState", state.map(\.rawValue), observedState.map(\.rawValue)) }
            } else {
                vm.powerState = observedState
            }
        }
        guard let observedDisks = observed.disks else { return }
        guard var disks = vm.disks else {
            vm.disks = observedDisks
            return
        }
        if let observedManaged = observedDisks.managed {
            if let managed = disks.managed {
                if managed.value != observedManaged.value {
                    disagree(what, "disks.managed", managed.map { String($0) }, observedManaged.map { String($0) })
                }
            } else {
                disks.managed = observedManaged
            }
        }
        if let observedData = observedDisks.data {
            if let data = disks.data {
                if data.value != observedData.value {
                    disagree(what, "disks.data", data.map { String($0) }, observedData.map { String($0) })
                }
            } else {
                disks.data = observedData
            }
        }
        vm.disks = disks
    }

    /// The parts of an OS version that carry numbers, and "R2": "Windows Server 2012 R2" and
    /// "2012 R2" agree, "Ubuntu 22.04 LTS" and "Ubuntu 22.04" agree, "2012" and "2012 R2" do not.
    static func versionNumbers(_ version: String) -> Set<Substring> {
        Set(
            version.lowercased().split { $0 == " " || $0 == "-" || $0 == "_" || $0 == "/" }
                .filter { $0 == "r2" || $0.contains(where: \.isNumber) })
    }

    private mutating func compareRules(of nsg: NetworkSecurityGroup, with observed: [SecurityRule], inventory: NetworkSecurityGroup) {
        let what = "NetworkSecurityGroup \(nsg.name.value)"
        var observedByName: [String: SecurityRule] = [:]
        for rule in observed { observedByName[rule.name.value.lowercased()] = rule }
        var declaredNames = Set<String>()
        for rule in nsg.rules {
            let name = rule.name.value.lowercased()
            declaredNames.insert(name)
            guard let match = observedByName[name] else {
                diagnostics.append(
                    InventoryDisagreementRule.diagnostic(
                        "\(what): rule \"\(rule.name.value)\" is not in the inventory", at: rule.name.range,
                        notes: [
                            DiagnosticNote(
                                "the inventory's rules of \(inventory.name.value) are here",
                                at: inventory.rulesRange ?? inventory.name.range)
                        ],
                        help: "remove the rule from the manifest, or export the inventory again if the rule was added since"))
                continue
            }
            let ruleWhat = "\(what), rule \(rule.name.value)"
            if rule.direction.value != match.direction.value {
                disagree(ruleWhat, "direction", rule.direction.map(\.rawValue), match.direction.map(\.rawValue))
            }
            if rule.access.value != match.access.value {
                disagree(ruleWhat, "access", rule.access.map(\.rawValue), match.access.map(\.rawValue))
            }
            if rule.priority.value != match.priority.value {
                disagree(ruleWhat, "priority", rule.priority.map { String($0) }, match.priority.map { String($0) })
            }
            if rule.protocol.value.lowercased() != match.protocol.value.lowercased() {
                disagree(ruleWhat, "protocol", rule.protocol, match.protocol)
            }
            for (field, declared, found) in [
                ("source", rule.sources, match.sources), ("sourcePorts", rule.sourcePorts, match.sourcePorts),
                ("destination", rule.destinations, match.destinations),
                ("destinationPorts", rule.destinationPorts, match.destinationPorts)
            ]
            where Set(declared.map { $0.value.lowercased() }) != Set(found.map { $0.value.lowercased() }) {
                guard let declaredFirst = declared.first, let foundFirst = found.first else { continue }
                disagree(
                    ruleWhat, field, Located(declared.map(\.value).joined(separator: ", "), at: declaredFirst.range),
                    Located(found.map(\.value).joined(separator: ", "), at: foundFirst.range))
            }
        }
        for rule in observed where !declaredNames.contains(rule.name.value.lowercased()) {
            diagnostics.append(
                InventoryDisagreementRule.diagnostic(
                    "\(what): the inventory has rule \"\(rule.name.value)\", which the manifest does not list",
                    at: nsg.rulesRange ?? nsg.name.range,
                    notes: [DiagnosticNote("the inventory lists it here", at: rule.name.range)],
                    help: "add the rule to `rules`, or export the inventory again if the rule was removed since"))
        }
    }

    private mutating func disagree(_ what: String, _ field: String, _ declared: Located<String>, _ observed: Located<String>) {
        diagnostics.append(
            InventoryDisagreementRule.diagnostic(
                "\(what): the manifest says \(field) \"\(declared.value)\", the inventory says \"\(observed.value)\"",
                at: declared.range,
                notes: [DiagnosticNote("the inventory says \"\(observed.value)\" here", at: observed.range)],
                help: "correct the manifest, or export the inventory again if the resource changed since"))
    }
}

extension Located {
    func map<T>(_ transform: (Value) -> T) -> Located<T> {
        Located<T>(transform(value), at: range)
    }
}
