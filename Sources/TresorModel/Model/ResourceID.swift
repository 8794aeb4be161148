/// Azure resource IDs, tresor's resource identities. Azure compares them case-insensitively;
/// `key` gives the form to compare by.
public enum ResourceID {
    public static func vault(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.RecoveryServices/vaults/\(name)"
    }

    public static func backupPolicy(vaultID: String, name: String) -> String {
        "\(vaultID)/backupPolicies/\(name)"
    }

    /// `{vault}/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}`
    /// `/protectedItems/vm;iaasvmcontainerv2;{rg};{vm}`, built in one allocation: a plan builds
    /// one for every protected VM.
    public static func protectedItem(vaultID: String, vmResourceGroup: String, vmName: String) -> String {
        join([
            vaultID, "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;", vmResourceGroup, ";",
            vmName, "/protectedItems/vm;iaasvmcontainerv2;", vmResourceGroup, ";", vmName
        ])
    }

    public static func networkSecurityGroup(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/networkSecurityGroups/\(name)"
    }

    public static func securityRule(nsgID: String, name: String) -> String {
        "\(nsgID)/securityRules/\(name)"
    }

    public static func virtualMachine(subscription: String, resourceGroup: String, name: String) -> String {
        join([
            "/subscriptions/", subscription.asciiLowercased(), "/resourceGroups/", resourceGroup,
            "/providers/Microsoft.Compute/virtualMachines/", name
        ])
    }

    /// `parts` concatenated into a string allocated once at its final size.
    private static func join(_ parts: [String]) -> String {
        var joined = ""
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
        for part in parts { joined += part }
        return joined
    }

    /// The ID `levels` type/name pairs up: a security rule's NSG (1), a protected item's vault (3).
    public static func parent(of id: String, levels: Int) -> String? {
        let bytes = id.utf8
        var end = bytes.endIndex
        for _ in 0..<(2 * levels) {
            guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")), slash > bytes.startIndex else { return nil }
            end = slash
        }
        return String(id[..<end])
    }

    /// The name a reference or ID ends with: `web-01` of `rg-web/web-01` or of a VM's ID.
    package static func lastComponent(_ reference: String) -> String {
        reference.split(separator: "/").last.map(String.init) ?? reference
    }

    /// Whether `id` has the path of a `kind`'s identity as the functions above build it: their
    /// keywords in their places (ignoring case, as Azure compares them) and one segment per name;
    /// a protected item's container and item segments name the same VM. Planning reads a child's
    /// vault off its ID, so state and journals are checked with this when they are read. Linear
    /// in the ID's length: a 100,000-VM state checks every ID on every load.
    package static func hasShape(_ id: String, of kind: ManagedKind) -> Bool {
        let path =
            switch kind {
            case .vault: vaultPath
            case .backupPolicy: policyPath
            case .networkRule: securityRulePath
            case .protectedItem: protectedItemPath
            }
        var id = id
        return id.withUTF8 { bytes in
            let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            guard segments.count == path.count,
                zip(segments, path).allSatisfy({ segment, keyword in keyword.map { equalIgnoringCase(segment, $0.utf8) } ?? true })
            else { return false }
            guard kind == .protectedItem else { return true }
            // `iaasvmcontainer;iaasvmcontainerv2;{rg};{vm}` and `vm;iaasvmcontainerv2;{rg};{vm}`.
            let container = segments[path.count - 3]
            let item = segments[path.count - 1]
            guard container.count > containerPrefix.count, item.count > itemPrefix.count,
                equalIgnoringCase(container.prefix(containerPrefix.count), containerPrefix.utf8),
                equalIgnoringCase(item.prefix(itemPrefix.count), itemPrefix.utf8)
            else { return false }
            let vm = item.dropFirst(itemPrefix.count)
            return vm.contains(UInt8(ascii: ";")) && equalIgnoringCase(container.dropFirst(containerPrefix.count), vm)
        }
    }

    /// A kind's ID with its names as placeholders, for messages.
    package static func form(of kind: ManagedKind) -> String {
        let vault = vault(subscription: "{subscription}", resourceGroup: "{resourceGroup}", name: "{vault}")
        return switch kind {
        case .vault: vault
        case .backupPolicy: backupPolicy(vaultID: vault, name: "{policy}")
        case .networkRule:
            securityRule(
                nsgID: networkSecurityGroup(subscription: "{subscription}", resourceGroup: "{resourceGroup}", name: "{nsg}"),
                name: "{rule}")
        case .protectedItem: protectedItem(vaultID: vault, vmResourceGroup: "{vmResourceGroup}", vmName: "{vm}")
        }
    }

    // Lowercase keywords; nil stands for a name.
    private static let vaultPath: [String?] = [
        "", "subscriptions", nil, "resourcegroups", nil, "providers",
        "microsoft.recoveryservices", "vaults", nil
    ]
    private static let policyPath = vaultPath + ["backuppolicies", nil]
    private static let protectedItemPath = vaultPath + ["backupfabrics", "azure", "protectioncontainers", nil, "protecteditems", nil]
    private static let securityRulePath: [String?] = [
        "", "subscriptions", nil, "resourcegroups", nil, "providers",
        "microsoft.network", "networksecuritygroups", nil, "securityrules", nil
    ]
    private static let containerPrefix = "iaasvmcontainer;iaasvmcontainerv2;"
    private static let itemPrefix = "vm;iaasvmcontainerv2;"

    /// Byte equality ignoring ASCII case.
    private static func equalIgnoringCase(_ some: some Collection<UInt8>, _ other: some Collection<UInt8>) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
        return some.count == other.count && zip(some, other).allSatisfy { lower($0) == lower($1) }
    }

    /// The comparison form of an ID.
    public static func key(_ id: String) -> String { id.asciiLowercased() }

    /// Splits `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}` into its
    /// parts; nil when `text` is not such an ID.
    public static func parse(_ text: String) -> (subscription: String, resourceGroup: String, type: String, name: String)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 9, parts[0].isEmpty,
            parts[1].lowercased() == "subscriptions", parts[3].lowercased() == "resourcegroups",
            parts[5].lowercased() == "providers", !parts[8].isEmpty
        else { return nil }
        return (String(parts[2]), String(parts[4]), "\(parts[6])/\(parts[7])", String(parts[8]))
    }
}
