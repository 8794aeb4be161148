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
        join([vaultID, "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;", vmResourceGroup, ";",
              vmName, "/protectedItems/vm;iaasvmcontainerv2;", vmResourceGroup, ";", vmName])
    }

    public static func networkSecurityGroup(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/networkSecurityGroups/\(name)"
    }

    public static func securityRule(nsgID: String, name: String) -> String {
        "\(nsgID)/securityRules/\(name)"
    }

    public static func virtualMachine(subscription: String, resourceGroup: String, name: String) -> String {
        join(["/subscriptions/", subscription.asciiLowercased(), "/resourceGroups/", resourceGroup,
              "/providers/Microsoft.Compute/virtualMachines/", name])
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
