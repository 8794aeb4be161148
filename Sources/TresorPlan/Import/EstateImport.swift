import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// Turns an exported estate into manifests in `Examples/estate`'s layout: a folder per
/// subscription and region, holding `vaults.yaml`, `policies.yaml`, `protection.yaml`,
/// `network.yaml` (NSGs and their security rules as NetworkRules) and `vms.yaml` (the facts of
/// the protected VMs). What the model cannot express is left out, each with its resource ID
/// (TR607), never approximated. Protected items whose protection is stopped (data retained)
/// have no manifest form: they go into state only, where the planner keeps them as they are.
package struct EstateImport {
    /// Relative path ("{subscription}/{region}/vaults.yaml") to its documents, in the order made.
    package private(set) var files: [(path: String, documents: [String])] = []
    package private(set) var stoppedItems: [StateResource] = []
    package private(set) var diagnostics: [Diagnostic] = []
    private var fileIndex: [String: Int] = [:]

    /// Policies that exist in every vault; like the model's built-in DefaultPolicy, they belong
    /// to their vault and are not imported as documents. Azure recreates them when deleted.
    static let systemPolicies: Set<String> = ["defaultpolicy", "enhancedpolicy", "hourlylogbackup"]

    package init(_ export: AzureExport) {
        var vaultsByKey: [String: AzureExport.Vault] = [:]
        for vault in export.vaults {
            guard vaultsByKey[ResourceID.key(vault.id)] == nil else { continue }
            guard let replication = replication(of: vault, storage: export.storageConfigs[ResourceID.key(vault.id)]) else { continue }
            vaultsByKey[ResourceID.key(vault.id)] = vault
            let region = Self.region(vault.location)
            var lines =
                header("Vault", vault.name) + [
                    "subscription: \(vault.subscription)",
                    "resourceGroup: \(YAMLText.scalar(vault.resourceGroup))",
                    "region: \(region)",
                    "replication: \(replication.replication.rawValue)",
                    "crossRegionRestore: \(replication.crossRegionRestore)"
                ]
            if !vault.tags.isEmpty {
                lines.append(
                    "tags: {" + vault.tags.map { "\(YAMLText.scalar($0.0)): \(YAMLText.scalar($0.1))" }.joined(separator: ", ") + "}")
            }
            add(lines, to: vault.subscription, region, "vaults.yaml")
            for setting in vault.unmanagedSettings {
                leftOut(vault.id, "vault setting \(setting): tresor does not manage it; it stays as it is in Azure", at: vault.range)
            }
        }

        // Policies tresor can express, by policy ID key: their names in the manifests.
        var importedPolicies: [String: String] = [:]
        var policyProblems: [String: String] = [:]
        for policy in export.policies {
            let key = ResourceID.key(policy.id)
            guard let vault = vaultsByKey[ResourceID.key(policy.vaultID)] else {
                if export.vaults.contains(where: { ResourceID.key($0.id) == ResourceID.key(policy.vaultID) }) { continue }
                leftOut(policy.id, "its vault is not in the exported vault list", at: policy.range)
                continue
            }
            if Self.systemPolicies.contains(ResourceID.key(policy.name)) { continue }
            switch PolicyImport.document(policy) {
            case .failure(let problem):
                policyProblems[key] = problem.reason
                leftOut(policy.id, problem.reason, at: problem.range ?? policy.range)
            case .success(let body):
                importedPolicies[key] = policy.name
                add(
                    header("BackupPolicy", policy.name) + [
                        "vault: \(YAMLText.scalar(vault.resourceGroup + "/" + vault.name))",
                        "subscription: \(vault.subscription)"
                    ] + body, to: vault.subscription, Self.region(vault.location), "policies.yaml")
            }
        }

        var vmsByKey: [String: InventoryVM] = [:]
        for vm in export.inventory.facts.virtualMachines { vmsByKey[ResourceID.key(vm.vm.id)] = vm }
        // Protection documents: one per vault and policy, VMs in the order listed.
        var protections: [String: (vault: AzureExport.Vault, policy: String, vms: [String])] = [:]
        var protectionOrder: [String] = []
        var protectedVMs: [InventoryVM] = []
        var seenVMs: Set<String> = []
        for item in export.items {
            guard let vault = vaultsByKey[ResourceID.key(item.vaultID)] else {
                if !export.vaults.contains(where: { ResourceID.key($0.id) == ResourceID.key(item.vaultID) }) {
                    leftOut(item.id, "its vault is not in the exported vault list", at: item.range)
                }
                continue
            }
            guard item.isVM else {
                leftOut(item.id, "not an Azure VM backup item: tresor manages VM backup only", at: item.range)
                continue
            }
            guard !item.softDeleted else {
                leftOut(
                    item.id, "soft-deleted (isScheduledForDeferredDelete): it protects nothing, and Azure still counts it in its vault",
                    at: item.range)
                continue
            }
            guard let vm = vmsByKey[ResourceID.key(item.vm)] else {
                let why =
                    export.incompleteVMs[ResourceID.key(item.vm)].map { "its VM \(item.vm) is exported without \($0)" }
                    ?? "its VM \(item.vm) is not in the exported VM list (`az vm list --show-details`)"
                leftOut(item.id, why, at: item.range)
                continue
            }
            let state = ResourceID.key(item.protectionState)
            let policyKey = ResourceID.key(ResourceID.backupPolicy(vaultID: vault.id, name: item.policyName))
            let isDefault = ResourceID.key(item.policyName) == ResourceID.key(BackupPolicy.defaultName)
            let itemID = ResourceID.protectedItem(vaultID: vault.id, vmResourceGroup: vm.vm.resourceGroup.value, vmName: vm.vm.name.value)
            if state == "protectionstopped" {
                stoppedItems.append(
                    StateResource(
                        kind: .protectedItem, id: itemID, name: vm.vm.name.value,
                        attributes: .object([
                            (ProtectedItemAttribute.vm, .string(vm.vm.id)),
                            (
                                ProtectedItemAttribute.policy,
                                .string(isDefault ? BackupPolicy.defaultName : importedPolicies[policyKey] ?? item.policyName)
                            ),
                            (ProtectedItemAttribute.protectionState, .string(ProtectionState.stopped.rawValue))
                        ])))
                continue
            }
            guard ["protected", "irpending", "protectionpaused", "protectionerror"].contains(state) else {
                leftOut(item.id, "protection state \(item.protectionState) has no manifest form", at: item.range)
                continue
            }
            guard isDefault || importedPolicies[policyKey] != nil else {
                let why =
                    policyProblems[policyKey].map { "its policy \(item.policyName) is left out (\($0))" }
                    ?? "its policy \(item.policyName) is not in the exported policy list"
                leftOut(item.id, why, at: item.range)
                continue
            }
            let group = "\(ResourceID.key(vault.id))|\(isDefault ? "" : item.policyName)"
            if protections[group] == nil {
                protections[group] = (vault, isDefault ? "" : item.policyName, [])
                protectionOrder.append(group)
            }
            protections[group]?.vms.append(vm.vm.resourceGroup.value + "/" + vm.vm.name.value)
            if seenVMs.insert(ResourceID.key(vm.vm.id)).inserted { protectedVMs.append(vm) }
        }
        for group in protectionOrder {
            guard let protection = protections[group] else { continue }
            var lines = [
                "apiVersion: tresor/v1", "kind: Protection",
                "vault: \(YAMLText.scalar(protection.vault.resourceGroup + "/" + protection.vault.name))",
                "subscription: \(protection.vault.subscription)"
            ]
            if !protection.policy.isEmpty { lines.append("policy: \(YAMLText.scalar(protection.policy))") }
            lines.append("vms:")
            lines += protection.vms.map { "  - \(YAMLText.scalar($0))" }
            add(lines, to: protection.vault.subscription, Self.region(protection.vault.location), "protection.yaml")
        }

        network(export, protectedVMs: protectedVMs)
    }

    /// The NSGs on the protected VMs' network interfaces, and those whose rules were exported on
    /// their own, with every security rule as a NetworkRule (tresor manages them from now on);
    /// then the protected VMs, naming their NSGs.
    private mutating func network(_ export: AzureExport, protectedVMs: [InventoryVM]) {
        var interfaces: Set<String> = []
        for vm in protectedVMs { interfaces.formUnion(vm.networkInterfaces) }
        var flatRules: [String: [YAMLNode]] = [:]
        for rule in export.flatRules { flatRules[ResourceID.key(rule.nsgID), default: []].append(rule.node) }
        var nsgsOfInterface: [String: [String]] = [:]
        var found: Set<String> = []
        var decoder = export.inventory
        for inventory in export.inventory.facts.networkSecurityGroups {
            let nsg = inventory.nsg
            let key = ResourceID.key(nsg.id)
            let attached = inventory.networkInterfaces.filter { interfaces.contains($0.value) }
            guard !attached.isEmpty || flatRules[key] != nil, found.insert(key).inserted else { continue }
            for interface in attached {
                nsgsOfInterface[interface.value, default: []].append(nsg.resourceGroup.value + "/" + nsg.name.value)
            }
            let region = Self.region(nsg.region.value)
            add(
                header("NetworkSecurityGroup", nsg.name.value) + [
                    "subscription: \(nsg.subscription.value)",
                    "resourceGroup: \(YAMLText.scalar(nsg.resourceGroup.value))",
                    "region: \(region)"
                ], to: nsg.subscription.value, region, "network.yaml")
            var rules = nsg.rules
            var names = Set(rules.map { ResourceID.key($0.name.value) })
            for node in flatRules[key] ?? [] {
                guard let rule = decoder.decodeSecurityRule(node), names.insert(ResourceID.key(rule.name.value)).inserted else { continue }
                rules.append(rule)
            }
            for rule in rules {
                add(Self.networkRule(rule, nsg: nsg), to: nsg.subscription.value, region, "network.yaml")
            }
            for rule in export.groupRules where ResourceID.key(rule.nsgID) == key {
                leftOut(
                    ResourceID.securityRule(nsgID: rule.nsgID, name: rule.name),
                    "its addresses are application security groups, which the model cannot express", at: rule.range)
            }
        }
        diagnostics += decoder.reader.diagnostics
        for rule in export.flatRules where !found.contains(ResourceID.key(rule.nsgID)) {
            leftOut(
                ResourceID.securityRule(nsgID: rule.nsgID, name: rule.node.member("name")?.scalar ?? ""),
                "its NSG is not in the exported NSG list (`az network nsg list`)", at: rule.node.range)
        }
        for inventory in protectedVMs {
            let vm = inventory.vm
            let region = Self.region(vm.region.value)
            var lines =
                header("VirtualMachine", vm.name.value) + [
                    "subscription: \(vm.subscription.value)",
                    "resourceGroup: \(YAMLText.scalar(vm.resourceGroup.value))",
                    "region: \(region)",
                    "os: {type: \(vm.os.type.value.rawValue), version: \(YAMLText.scalar(vm.os.version.value))}"
                ]
            if let disks = vm.disks {
                var members: [String] = []
                if let managed = disks.managed { members.append("managed: \(managed.value)") }
                if let data = disks.data { members.append("data: \(data.value)") }
                if !members.isEmpty { lines.append("disks: {" + members.joined(separator: ", ") + "}") }
            }
            if let power = vm.powerState { lines.append("powerState: \(power.value.rawValue)") }
            let nsgs = inventory.networkInterfaces.flatMap { nsgsOfInterface[$0] ?? [] }
            if !nsgs.isEmpty { lines.append("networkSecurityGroups: [" + nsgs.map(YAMLText.scalar).joined(separator: ", ") + "]") }
            add(lines, to: vm.subscription.value, region, "vms.yaml")
        }
    }

    private static func networkRule(_ rule: SecurityRule, nsg: NetworkSecurityGroup) -> [String] {
        func values(_ list: [Located<String>]) -> String {
            list.count == 1 ? YAMLText.scalar(list[0].value) : "[" + list.map { YAMLText.scalar($0.value) }.joined(separator: ", ") + "]"
        }
        var lines =
            header("NetworkRule", rule.name.value) + [
                "nsg: \(YAMLText.scalar(nsg.resourceGroup.value + "/" + nsg.name.value))",
                "subscription: \(nsg.subscription.value)",
                "direction: \(rule.direction.value.rawValue)",
                "access: \(rule.access.value.rawValue)",
                "priority: \(rule.priority.value)",
                "protocol: \(YAMLText.scalar(rule.protocol.value))",
                "source: \(values(rule.sources))",
                "sourcePorts: \(values(rule.sourcePorts))",
                "destination: \(values(rule.destinations))",
                "destinationPorts: \(values(rule.destinationPorts))"
            ]
        if let description = rule.description, !description.value.isEmpty {
            lines.append("description: \(YAMLText.scalar(description.value))")
        }
        return lines
    }

    /// The vault's replication and Cross Region Restore: from its storage config when exported
    /// (`backup-properties show`), else from the vault's redundancy settings; nil (reported) for
    /// a redundancy the model lacks.
    private mutating func replication(of vault: AzureExport.Vault, storage: AzureExport.StorageConfig?)
        -> (replication: Replication, crossRegionRestore: Bool)?
    {
        guard let type = storage?.storageType ?? vault.redundancy.flatMap({ ResourceID.key($0) == "invalid" ? nil : $0 }) else {
            leftOut(
                vault.id,
                "its storage redundancy is not in the export (give `az backup vault backup-properties show` for it), "
                    + "so the vault is left out with everything in it",
                at: vault.range)
            return nil
        }
        let replication: Replication
        switch ResourceID.key(type) {
        case "georedundant": replication = .GRS
        case "locallyredundant": replication = .LRS
        default:
            leftOut(
                vault.id, "storage redundancy \(type) has no manifest form (GRS or LRS), so the vault is left out with everything in it",
                at: vault.range)
            return nil
        }
        let crossRegionRestore = storage?.crossRegionRestore ?? (ResourceID.key(vault.crossRegionRestore ?? "") == "enabled")
        return (replication, crossRegionRestore)
    }

    private func header(_ kind: String, _ name: String) -> [String] {
        Self.header(kind, name)
    }

    private static func header(_ kind: String, _ name: String) -> [String] {
        ["apiVersion: tresor/v1", "kind: \(kind)", "name: \(YAMLText.scalar(name))"]
    }

    /// Azure's location as the manifests write regions: "West Europe" -> "westeurope".
    static func region(_ location: String) -> String {
        ResourceID.key(location).filter { $0 != " " }
    }

    private mutating func add(_ lines: [String], to subscription: String, _ region: String, _ file: String) {
        let path = "\(ResourceID.key(subscription))/\(region)/\(file)"
        let document = lines.joined(separator: "\n") + "\n"
        if let index = fileIndex[path] {
            files[index].documents.append(document)
        } else {
            fileIndex[path] = files.count
            files.append((path, [document]))
        }
    }

    private mutating func leftOut(_ id: String, _ reason: String, at range: SourceRange?) {
        diagnostics.append(ImportLeftOutRule.diagnostic("not imported: \(id): \(reason)", at: range))
    }
}

/// YAML text for the manifests import writes.
enum YAMLText {
    /// `text` plain when YAML reads it back as the same string, else double-quoted with JSON's
    /// escapes (which YAML's double-quoted style shares).
    static func scalar(_ text: String) -> String {
        let plainSafe = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: " ")
        }
        let first =
            text.utf8.first.map {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            } ?? false
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        if plainSafe, first, text.last != " ", !reserved.contains(text.lowercased()) { return text }
        return JSON.string(text).rendered()
    }
}
