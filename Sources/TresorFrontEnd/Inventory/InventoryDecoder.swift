import TresorModel
import TresorSupport

/// Observed facts read from az CLI inventory files.
package struct InventoryFacts: Sendable {
    package var virtualMachines: [InventoryVM] = []
    package var networkSecurityGroups: [InventoryNSG] = []
}

package struct InventoryVM: Sendable {
    package var vm: VirtualMachine
    /// Whether `vm.os.version` names a known marketplace image; otherwise it is the image's URN
    /// or ID, which says nothing a manifest could be compared with.
    var osVersionKnown: Bool
    /// Lowercased IDs of its network interfaces.
    package var networkInterfaces: [String]
    /// The `type` value, which says the VM is a Resource Manager VM.
    var type: SourceRange
}

package struct InventoryNSG: Sendable {
    package var nsg: NetworkSecurityGroup
    /// The network interfaces it is attached to: lowercased IDs, where the inventory lists them.
    package var networkInterfaces: [Located<String>]
}

/// Reads what `az vm list --show-details -o json` and `az network nsg list -o json` print (a JSON
/// array of resources; one resource, as `az vm show` prints it, also works). JSON is YAML, so the
/// YAML loader reads it, with positions and safety limits. Keys tresor does not use are ignored:
/// the az CLI prints many.
package struct InventoryDecoder {
    private static let virtualMachineType = "microsoft.compute/virtualmachines"
    private static let networkSecurityGroupType = "microsoft.network/networksecuritygroups"

    package var facts = InventoryFacts()
    /// Reports problems, reusing the manifest decoder's messages for scalars, numbers and enums.
    package var reader = FieldReader()

    package init() {}

    /// A whole document: the array of resources (its entries may also come one by one to
    /// `decodeEntry`, as the loader streams them), or a single resource.
    mutating func decode(_ root: YAMLNode) {
        switch root.content {
        case .sequence(let entries):
            for entry in entries { decodeEntry(entry) }
        case .mapping:
            decodeEntry(root)
        case .scalar:
            report(
                ValueTypeRule.self,
                "an inventory must be the JSON array that `az vm list --show-details -o json` or `az network nsg list -o json` prints, not a scalar",
                at: root.range)
        }
    }

    private mutating func report(_ rule: (some FrontEndRule).Type, _ message: String, at range: SourceRange, help: String? = nil) {
        reader.diagnostics.append(rule.diagnostic(message, at: range, help: help))
    }

    /// One resource of the array.
    package mutating func decodeEntry(_ entry: YAMLNode) {
        guard case .mapping = entry.content else {
            report(ValueTypeRule.self, "each inventory entry must be a JSON object, not \(entry.kindDescription)", at: entry.range)
            return
        }
        guard let id = text(entry, ["id"], what: "inventory entry", required: true) else { return }
        guard let parts = ResourceID.parse(id.value), FieldReader.isGUID(parts.subscription) else {
            report(
                AllowedValueRule.self, "id \"\(id.value)\" is not an Azure resource ID", at: id.range,
                help: "export the inventory with `az vm list --show-details -o json` or `az network nsg list -o json`")
            return
        }
        let type = text(entry, ["type"], what: "inventory entry", required: false)
        switch (type?.value ?? parts.type).lowercased() {
        case Self.virtualMachineType:
            decodeVirtualMachine(
                entry, id: id, subscription: parts.subscription, resourceGroup: parts.resourceGroup,
                type: type?.range ?? id.range)
        case Self.networkSecurityGroupType:
            decodeNetworkSecurityGroup(entry, id: id, subscription: parts.subscription, resourceGroup: parts.resourceGroup)
        default:
            report(
                AllowedValueRule.self,
                "inventory entry \(id.value) is a \(type?.value ?? parts.type), not a virtual machine or network security group",
                at: type?.range ?? id.range,
                help: "give --inventory the output of `az vm list --show-details -o json` or `az network nsg list -o json`")
        }
    }

    // MARK: Virtual machines

    private mutating func decodeVirtualMachine(
        _ entry: YAMLNode, id: Located<String>, subscription: String,
        resourceGroup: String, type: SourceRange
    ) {
        let what = "virtual machine \(id.value)"
        let name = text(entry, ["name"], what: what, required: true)
        let location = text(entry, ["location"], what: what, required: true)
        let osTypeText = text(entry, ["storageProfile", "osDisk", "osType"], what: what, required: true)
        let osType = osTypeText.flatMap { text in
            OSType(manifestText: text.value).map { Located($0, at: text.range) }
                ?? {
                    report(AllowedValueRule.self, "osType must be one of \(OSType.allowedValues), not \"\(text.value)\"", at: text.range)
                    return nil
                }()
        }
        guard let name, let location, let osType else { return }

        let storage = entry.member("storageProfile")
        let osDisk = storage?.member("osDisk")
        let image = storage?.member("imageReference")
        let (version, known) = osVersion(image, fallback: osType.range)
        let os = OperatingSystem(range: osDisk?.range ?? osType.range, type: osType, version: version)
        var managed: Located<Bool>?
        if let disk = osDisk?.member("managedDisk") {
            managed = Located(true, at: disk.range)
        } else if let vhd = osDisk?.member("vhd") {
            managed = Located(false, at: vhd.range)
        }
        var dataDisks: Located<Int>?
        if let list = storage?.member("dataDisks"), case .sequence(let disks) = list.content {
            dataDisks = Located(disks.count, at: list.range)
        }
        let disks = storage.map { Disks(range: $0.range, managed: managed, encryptedStorage: nil, data: dataDisks) }
        let powerState = text(entry, ["powerState"], what: what, required: false).flatMap { text in
            Self.powerState(text.value).map { Located($0, at: text.range) }
        }
        let networkInterfaces = elements(entry.member("networkProfile")?.member("networkInterfaces")).compactMap {
            $0.member("id")?.scalar?.lowercased()
        }
        let vm = VirtualMachine(
            document: entry.range, name: name, subscription: Located(subscription.lowercased(), at: id.range),
            resourceGroup: Located(resourceGroup, at: id.range), region: location, os: os, agent: nil, disks: disks,
            deployment: nil, classic: nil, powerState: powerState, networkSecurityGroups: [], egress: nil)
        facts.virtualMachines.append(InventoryVM(vm: vm, osVersionKnown: known, networkInterfaces: networkInterfaces, type: type))
    }

    /// The OS version of `imageReference` (at its sku), and whether it names a known image.
    /// Unknown images keep their URN (publisher:offer:sku) or gallery image ID as free text.
    private func osVersion(_ image: YAMLNode?, fallback: SourceRange) -> (Located<String>, Bool) {
        let publisher = image?.member("publisher")?.scalar ?? ""
        let offer = image?.member("offer")?.scalar ?? ""
        let sku = image?.member("sku")
        let at = sku?.range ?? image?.range ?? fallback
        if let version = MarketplaceImage.osVersion(publisher: publisher, offer: offer, sku: sku?.scalar ?? "") {
            return (Located(version, at: at), true)
        }
        if !publisher.isEmpty { return (Located("\(publisher):\(offer):\(sku?.scalar ?? "")", at: at), false) }
        if let id = image?.member("id"), let text = id.scalar { return (Located(text, at: id.range), false) }
        return (Located("unknown image", at: at), false)
    }

    /// `powerState` as `az vm list --show-details` prints it: "VM running", "VM deallocated", …
    /// Transitions count as where they lead; anything else is unknown.
    static func powerState(_ text: String) -> PowerState? {
        switch text.lowercased() {
        case "vm running", "vm starting": .running
        case "vm stopped", "vm stopping": .stopped
        case "vm deallocated", "vm deallocating": .deallocated
        default: nil
        }
    }

    // MARK: Network security groups

    private mutating func decodeNetworkSecurityGroup(
        _ entry: YAMLNode, id: Located<String>, subscription: String,
        resourceGroup: String
    ) {
        let what = "network security group \(id.value)"
        let name = text(entry, ["name"], what: what, required: true)
        let location = text(entry, ["location"], what: what, required: true)
        // defaultSecurityRules are Azure's own, the same in every NSG: left out, as in manifests.
        let rules = elements(entry.member("securityRules")).compactMap { decodeSecurityRule($0) }
        let networkInterfaces = elements(entry.member("networkInterfaces")).compactMap { nic -> Located<String>? in
            guard let id = nic.member("id"), let text = id.scalar else { return nil }
            return Located(text.lowercased(), at: id.range)
        }
        guard let name, let location else { return }
        var nsg = NetworkSecurityGroup(
            document: entry.range, name: name, subscription: Located(subscription.lowercased(), at: id.range),
            resourceGroup: Located(resourceGroup, at: id.range), region: location, rules: rules)
        nsg.rulesRange = entry.member("securityRules")?.range
        facts.networkSecurityGroups.append(InventoryNSG(nsg: nsg, networkInterfaces: networkInterfaces))
    }

    /// One of `securityRules`. Rules whose addresses are application security groups are left
    /// out: which VMs those groups hold is not in the inventory.
    package mutating func decodeSecurityRule(_ rule: YAMLNode) -> SecurityRule? {
        guard case .mapping = rule.content else {
            report(ValueTypeRule.self, "each security rule must be a JSON object, not \(rule.kindDescription)", at: rule.range)
            return nil
        }
        let what = "security rule"
        let name = text(rule, ["name"], what: what, required: true)
        let direction = required(rule, "direction", what: what).flatMap {
            reader.enumeration($0, what: "direction", as: RuleDirection.self)
        }
        let access = required(rule, "access", what: what).flatMap { reader.enumeration($0, what: "access", as: RuleAccess.self) }
        let priority = required(rule, "priority", what: what).flatMap { reader.integer($0, what: "priority") }
        let proto = text(rule, ["protocol"], what: what, required: true)
        let description = text(rule, ["description"], what: what, required: false)
        guard let name, let direction, let access, let priority, let proto,
            let sources = values(rule, "sourceAddressPrefix", "sourceAddressPrefixes"),
            let sourcePorts = values(rule, "sourcePortRange", "sourcePortRanges"),
            let destinations = values(rule, "destinationAddressPrefix", "destinationAddressPrefixes"),
            let destinationPorts = values(rule, "destinationPortRange", "destinationPortRanges")
        else { return nil }
        return SecurityRule(
            range: rule.range, name: name, direction: direction, access: access, priority: priority,
            protocol: proto, sources: sources, sourcePorts: sourcePorts, destinations: destinations,
            destinationPorts: destinationPorts, description: description)
    }

    /// The Azure pair of a single value and a list (`sourcePortRange`, `sourcePortRanges`): the
    /// single one when set, else the list; nil when both are empty.
    private mutating func values(_ rule: YAMLNode, _ single: String, _ list: String) -> [Located<String>]? {
        if let node = rule.member(single), let text = reader.scalar(node, what: single), !text.value.isEmpty { return [text] }
        let entries = elements(rule.member(list)).compactMap { reader.scalar($0, what: "each entry of \(list)") }
        return entries.isEmpty ? nil : entries
    }

    // MARK: JSON access

    /// The scalar at `path`, reporting TR006 when it is required and absent, TR007 when it is not a scalar.
    private mutating func text(_ object: YAMLNode, _ path: [String], what: String, required: Bool) -> Located<String>? {
        var node = object
        for key in path {
            guard let next = node.member(key) else {
                if required {
                    report(
                        RequiredFieldRule.self, "\(what) has no \(path.joined(separator: "."))", at: Self.start(of: object),
                        help: "export the inventory with the az CLI unchanged")
                }
                return nil
            }
            node = next
        }
        return reader.scalar(node, what: path.joined(separator: "."))
    }

    private mutating func required(_ object: YAMLNode, _ key: String, what: String) -> YAMLNode? {
        if let node = object.member(key) { return node }
        report(
            RequiredFieldRule.self, "\(what) has no \(key)", at: Self.start(of: object),
            help: "export the inventory with the az CLI unchanged")
        return nil
    }

    private func elements(_ node: YAMLNode?) -> [YAMLNode] {
        guard let node, case .sequence(let items) = node.content else { return [] }
        return items
    }

    /// The opening brace of an object, where "has no field" points.
    private static func start(of node: YAMLNode) -> SourceRange {
        SourceRange(
            file: node.range.file, line: Int(node.range.line), column: Int(node.range.column),
            endLine: Int(node.range.line), endColumn: Int(node.range.column) + 1)
    }
}

extension YAMLNode {
    /// The value of `key` in a mapping; nil when the key is absent, its value is null, or this is not a mapping.
    package func member(_ key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = content, let pair = pairs.first(where: { $0.key.scalar == key }),
            !pair.value.isNull
        else { return nil }
        return pair.value
    }
}
