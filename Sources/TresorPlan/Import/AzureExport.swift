import TresorFrontEnd
import TresorModel
import TresorSupport

/// An existing estate as the az CLI prints it (SPEC §7): `az backup vault list`, `az backup
/// vault backup-properties show` (a two-element array), `az backup policy list`, `az backup item
/// list`, `az vm list --show-details`, `az network nsg list` and `az network nsg rule list`
/// (flattened), and, to see the NSGs that filter a VM through its subnet, `az network nic list`,
/// `az network vnet subnet list` or `az network vnet list`. Keys are the Python SDK's camelCase names. Each entry is recognised by its
/// shape (its `type`, else its properties), never by the file's name, and read at once into
/// what import needs, with its place in the file for diagnostics.
package struct AzureExport {
    struct Vault {
        var id: String
        var subscription: String
        var resourceGroup: String
        var name: String
        var location: String
        var tags: [(String, String)]
        /// `properties.redundancySettings`: Azure's names (GeoRedundant, Enabled).
        var redundancy: String?
        var crossRegionRestore: String?
        /// Vault settings tresor does not manage, as "what: value" (immutability, …).
        var unmanagedSettings: [String]
        var range: SourceRange
    }

    /// `backupstorageconfig/vaultstorageconfig`: the vault's storage, which older api-versions
    /// keep apart from the vault.
    struct StorageConfig {
        var storageType: String?
        var crossRegionRestore: Bool?
    }

    struct Policy {
        var id: String
        var name: String
        var vaultID: String
        var properties: YAMLNode?
        var range: SourceRange
    }

    struct Item {
        var id: String
        var vaultID: String
        var vm: String
        var policyName: String
        var protectionState: String
        var softDeleted: Bool
        /// `protectedItemType`, `workloadType`: whether it is an Azure VM.
        var isVM: Bool
        var range: SourceRange
    }

    struct FlatRule {
        var nsgID: String
        var node: YAMLNode
    }

    var vaults: [Vault] = []
    var storageConfigs: [String: StorageConfig] = [:]
    var policies: [Policy] = []
    var items: [Item] = []
    /// VMs and NSGs, read by the inventory decoder `--inventory` uses.
    var inventory = InventoryDecoder()
    var flatRules: [FlatRule] = []
    /// VMs the export lists without the facts a VirtualMachine document needs, by ID key: what is missing.
    var incompleteVMs: [String: String] = [:]
    /// Security rules between application security groups, which the model cannot express:
    /// NSG ID, rule name, where.
    var groupRules: [(nsgID: String, name: String, range: SourceRange)] = []
    /// By NIC key: the subnets its IP configurations are in (`az network nic list`, `az network
    /// vnet subnet list`), and the NSG on the NIC itself (`nic list`).
    var subnetsOfInterface: [String: [String]] = [:]
    var nsgOfInterface: [String: (nsg: String, range: SourceRange)] = [:]
    /// By subnet key: the NSG on it (`nsg list`'s `subnets`, `vnet subnet list`), and where that was read.
    var nsgOfSubnet: [String: (nsg: String, range: SourceRange)] = [:]
    package var sources = SourceFiles()
    package var diagnostics: [Diagnostic] = []

    package init() {}

    /// Reads `paths` in order.
    package mutating func read(_ paths: [String], limits: YAMLLimits = YAMLLimits()) {
        for path in paths {
            let id = FileID(sources.files.count)
            switch Files.map(path, limit: limits.maxFileBytes) {
            case .failure:
                sources.add(SourceFile(path: path, bytes: []))
                diagnostics.append(InputFileRule.diagnostic("cannot read \"\(path)\"", at: nil))
            case .success(let source):
                read(source, id: id, limits: limits)
            }
        }
        finish()
    }

    /// Reads in-memory files, `(path, text)` (tests, and online import's answers).
    package mutating func read(texts: [(path: String, text: String)]) {
        for file in texts {
            read(SourceFile(path: file.path, bytes: Array(file.text.utf8)), id: FileID(sources.files.count), limits: YAMLLimits())
        }
        finish()
    }

    /// Once every file is read: each NSG names the network interfaces it filters, on the NIC
    /// itself or on the NIC's subnet, as the online import's NSGs do (`az network nsg list`
    /// names only the NICs attached directly).
    private mutating func finish() {
        diagnostics += inventory.reader.diagnostics
        inventory.reader.diagnostics = []
        var interfacesOfNSG: [String: [Located<String>]] = [:]
        for (nic, attached) in nsgOfInterface { interfacesOfNSG[attached.nsg, default: []].append(Located(nic, at: attached.range)) }
        for (nic, subnets) in subnetsOfInterface {
            for subnet in subnets {
                guard let attached = nsgOfSubnet[subnet] else { continue }
                interfacesOfNSG[attached.nsg, default: []].append(Located(nic, at: attached.range))
            }
        }
        guard !interfacesOfNSG.isEmpty else { return }
        for index in inventory.facts.networkSecurityGroups.indices {
            let key = ResourceID.key(inventory.facts.networkSecurityGroups[index].nsg.id)
            var known = Set(inventory.facts.networkSecurityGroups[index].networkInterfaces.map(\.value))
            for nic in (interfacesOfNSG[key] ?? []).sorted(by: { $0.value < $1.value }) where known.insert(nic.value).inserted {
                inventory.facts.networkSecurityGroups[index].networkInterfaces.append(nic)
            }
        }
    }

    private mutating func read(_ source: SourceFile, id: FileID, limits: YAMLLimits) {
        sources.add(source)
        let loader = YAMLLoader(file: id, limits: limits)
        // Large lists (100,000 items) come entry by entry, to a reader the loader's callbacks can hold.
        let reader = Reader(self)
        var problems: [Diagnostic] = []
        loader.load(source, diagnostics: &problems, element: { reader.export.entry($0) }) { root in
            if case .mapping = root.content { reader.export.entry(root) }
        }
        self = reader.export
        diagnostics += problems
    }

    private final class Reader {
        var export: AzureExport
        init(_ export: AzureExport) { self.export = export }
    }

    private mutating func entry(_ node: YAMLNode) {
        guard case .mapping = node.content else {
            diagnostics.append(ValueTypeRule.diagnostic("each entry must be a JSON object, not \(node.kindDescription)", at: node.range))
            return
        }
        let type = ResourceID.key(node.member("type")?.scalar ?? "")
        let properties = node.member("properties")
        switch type {
        case "microsoft.recoveryservices/vaults":
            vault(node)
        case "microsoft.recoveryservices/vaults/backupstorageconfig":
            storageConfig(node)
        case "microsoft.recoveryservices/vaults/backupconfig", "microsoft.recoveryservices/vaults/backupresourcevaultconfigs":
            break  // soft delete and enhanced security: reported from the vault's own settings
        case "microsoft.recoveryservices/vaults/backuppolicies":
            policy(node)
        case "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems":
            item(node)
        case "microsoft.compute/virtualmachines":
            // A VM without its OS type or location cannot be described; its items are left out (TR607).
            let missing = [
                ("storageProfile.osDisk.osType", node.member("storageProfile")?.member("osDisk")?.member("osType")),
                ("location", node.member("location"))
            ].first { $0.1?.scalar == nil }
            if let missing, let id = node.member("id")?.scalar {
                incompleteVMs[ResourceID.key(id)] = missing.0
            } else {
                inventory.decodeEntry(node)
            }
        case "microsoft.network/networksecuritygroups":
            if let id = node.member("id")?.scalar {
                if case .sequence(let rules)? = node.member("securityRules")?.content {
                    for rule in rules where Self.usesApplicationSecurityGroups(rule) {
                        groupRules.append((id, rule.member("name")?.scalar ?? "", rule.range))
                    }
                }
                for subnet in Self.ids(node.member("subnets")) { nsgOfSubnet[ResourceID.key(subnet)] = (ResourceID.key(id), node.range) }
            }
            inventory.decodeEntry(node)
        case "microsoft.network/networkinterfaces":
            interface(node)
        case "microsoft.network/virtualnetworks/subnets":
            subnet(node)
        case "microsoft.network/virtualnetworks":
            // `az network vnet list`: the subnets in full, as `vnet subnet list` prints them.
            if case .sequence(let subnets)? = node.member("subnets")?.content {
                for subnet in subnets { self.subnet(subnet) }
            }
        case "microsoft.network/networksecuritygroups/securityrules":
            flatRule(node)
        default:
            if properties?.member("storageModelType") != nil || properties?.member("storageType") != nil {
                storageConfig(node)
            } else if properties?.member("softDeleteFeatureState") != nil {
                break
            } else if properties?.member("protectedItemType") != nil {
                item(node)
            } else if properties?.member("schedulePolicy") != nil || properties?.member("backupManagementType") != nil {
                policy(node)
            } else if node.member("direction") != nil, node.member("priority") != nil {
                flatRule(node)
            } else {
                diagnostics.append(
                    AllowedValueRule.diagnostic(
                        "entry \(node.member("id")?.scalar ?? "without an id") is not something import reads"
                            + (type.isEmpty ? "" : " (\(type))"),
                        at: node.range,
                        help: "give --from-az the JSON of `az backup vault list`, `az backup vault backup-properties show`, "
                            + "`az backup policy list`, `az backup item list`, `az vm list --show-details`, `az network nsg list` "
                            + "`az network nsg rule list`, `az network nic list`, `az network vnet subnet list` or `az network vnet list`"))
            }
        }
    }

    private mutating func resourceID(_ node: YAMLNode) -> String? {
        guard let id = node.member("id")?.scalar, id.hasPrefix("/") else {
            diagnostics.append(RequiredFieldRule.diagnostic("entry has no id", at: node.range, help: "export with the az CLI unchanged"))
            return nil
        }
        return id
    }

    private mutating func vault(_ node: YAMLNode) {
        guard let id = resourceID(node) else { return }
        guard let parts = ResourceID.parse(id) else {
            diagnostics.append(AllowedValueRule.diagnostic("id \"\(id)\" is not a vault's resource ID", at: node.range))
            return
        }
        let properties = node.member("properties")
        let redundancy = properties?.member("redundancySettings")
        var tags: [(String, String)] = []
        if case .mapping(let pairs)? = node.member("tags")?.content {
            for pair in pairs { if let key = pair.key.scalar, let value = pair.value.scalar { tags.append((key, value)) } }
        }
        var unmanaged: [String] = []
        let security = properties?.member("securitySettings")
        func note(_ what: String, _ value: String?, unless defaults: [String]) {
            if let value, !defaults.contains(where: { $0.lowercased() == value.lowercased() }) { unmanaged.append("\(what): \(value)") }
        }
        note("immutability", security?.member("immutabilitySettings")?.member("state")?.scalar, unless: ["Disabled"])
        note("multi-user authorization", security?.member("multiUserAuthorization")?.scalar, unless: ["Disabled", "Invalid"])
        note("soft delete", security?.member("softDeleteSettings")?.member("softDeleteState")?.scalar, unless: ["Enabled", "Invalid"])
        note(
            "soft delete retention (days)", security?.member("softDeleteSettings")?.member("softDeleteRetentionPeriodInDays")?.scalar,
            unless: ["14"])
        note("public network access", properties?.member("publicNetworkAccess")?.scalar, unless: ["Enabled"])
        note("managed identity", node.member("identity")?.member("type")?.scalar, unless: ["None"])
        note("customer-managed key", properties?.member("encryption")?.member("keyVaultProperties")?.member("keyUri")?.scalar, unless: [])
        note("sku", node.member("sku")?.member("name")?.scalar, unless: ["Standard", "RS0"])
        vaults.append(
            Vault(
                id: id, subscription: parts.subscription, resourceGroup: parts.resourceGroup, name: parts.name,
                location: node.member("location")?.scalar ?? "", tags: tags,
                redundancy: redundancy?.member("standardTierStorageRedundancy")?.scalar,
                crossRegionRestore: redundancy?.member("crossRegionRestore")?.scalar,
                unmanagedSettings: unmanaged, range: node.range))
    }

    private mutating func storageConfig(_ node: YAMLNode) {
        guard let id = resourceID(node), let vault = ResourceID.parent(of: id, levels: 1) else { return }
        let properties = node.member("properties")
        // `storageModelType` is the newer name; either may say "Invalid" when the other holds the value.
        let types = [properties?.member("storageModelType")?.scalar, properties?.member("storageType")?.scalar]
        storageConfigs[ResourceID.key(vault)] = StorageConfig(
            storageType: types.compactMap { $0 }.first { ResourceID.key($0) != "invalid" },
            crossRegionRestore: properties?.member("crossRegionRestoreFlag")?.scalar.map { $0.lowercased() == "true" })
    }

    private mutating func policy(_ node: YAMLNode) {
        guard let id = resourceID(node), let vault = ResourceID.parent(of: id, levels: 1) else { return }
        policies.append(
            Policy(
                id: id, name: node.member("name")?.scalar ?? ResourceID.lastComponent(id), vaultID: vault,
                properties: node.member("properties"), range: node.range))
    }

    private mutating func item(_ node: YAMLNode) {
        guard let id = resourceID(node), let vault = ResourceID.parent(of: id, levels: 3) else { return }
        let properties = node.member("properties")
        let type = properties?.member("protectedItemType")?.scalar ?? ""
        let workload = properties?.member("workloadType")?.scalar ?? "VM"
        let policyID = properties?.member("policyId")?.scalar ?? ""
        items.append(
            Item(
                id: id, vaultID: vault,
                vm: properties?.member("sourceResourceId")?.scalar ?? properties?.member("virtualMachineId")?.scalar ?? "",
                policyName: properties?.member("policyName")?.scalar ?? (policyID.isEmpty ? "" : ResourceID.lastComponent(policyID)),
                protectionState: properties?.member("protectionState")?.scalar ?? "",
                softDeleted: properties?.member("isScheduledForDeferredDelete")?.scalar?.lowercased() == "true",
                isVM: ResourceID.key(type).hasSuffix("microsoft.compute/virtualmachines") && workload.lowercased() == "vm",
                range: node.range))
    }

    private mutating func flatRule(_ node: YAMLNode) {
        guard let id = resourceID(node), let nsg = ResourceID.parent(of: id, levels: 1) else { return }
        if Self.usesApplicationSecurityGroups(node) {
            groupRules.append((nsg, node.member("name")?.scalar ?? "", node.range))
        } else {
            flatRules.append(FlatRule(nsgID: nsg, node: node))
        }
    }

    /// `az network nic list`: the NIC's own NSG and its IP configurations' subnets.
    private mutating func interface(_ node: YAMLNode) {
        guard let id = resourceID(node) else { return }
        let key = ResourceID.key(id)
        if let nsg = node.member("networkSecurityGroup")?.member("id")?.scalar { nsgOfInterface[key] = (ResourceID.key(nsg), node.range) }
        if case .sequence(let configurations)? = node.member("ipConfigurations")?.content {
            for configuration in configurations {
                // Flattened by the az CLI; an unflattened answer nests it under `properties`.
                let subnet = configuration.member("subnet") ?? configuration.member("properties")?.member("subnet")
                if let subnet = subnet?.member("id")?.scalar { subnetsOfInterface[key, default: []].append(ResourceID.key(subnet)) }
            }
        }
    }

    /// `az network vnet subnet list`: the subnet's NSG, and the NICs whose IP configurations
    /// (`…/networkInterfaces/{nic}/ipConfigurations/{name}`) are in it.
    private mutating func subnet(_ node: YAMLNode) {
        guard let id = resourceID(node) else { return }
        let key = ResourceID.key(id)
        if let nsg = node.member("networkSecurityGroup")?.member("id")?.scalar { nsgOfSubnet[key] = (ResourceID.key(nsg), node.range) }
        for configuration in Self.ids(node.member("ipConfigurations")) {
            guard let nic = ResourceID.parent(of: configuration, levels: 1),
                ResourceID.key(nic).contains("/providers/microsoft.network/networkinterfaces/")
            else { continue }
            subnetsOfInterface[ResourceID.key(nic), default: []].append(key)
        }
    }

    /// The `id` of each object of a list of references.
    private static func ids(_ node: YAMLNode?) -> [String] {
        guard case .sequence(let entries)? = node?.content else { return [] }
        return entries.compactMap { $0.member("id")?.scalar }
    }

    static func usesApplicationSecurityGroups(_ rule: YAMLNode) -> Bool {
        ["sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups"].contains { key in
            if case .sequence(let groups)? = rule.member(key)?.content { return !groups.isEmpty }
            return false
        }
    }
}
