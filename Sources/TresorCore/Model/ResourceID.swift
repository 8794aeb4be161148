/// Azure resource IDs, tresor's resource identities. Azure compares them case-insensitively;
/// `key` gives the form to compare by.
public enum ResourceID {
    public static func vault(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.RecoveryServices/vaults/\(name)"
    }

    public static func backupPolicy(vaultID: String, name: String) -> String {
        "\(vaultID)/backupPolicies/\(name)"
    }

    public static func protectedItem(vaultID: String, vmResourceGroup: String, vmName: String) -> String {
        let container = "iaasvmcontainer;iaasvmcontainerv2;\(vmResourceGroup);\(vmName)"
        let item = "vm;iaasvmcontainerv2;\(vmResourceGroup);\(vmName)"
        return "\(vaultID)/backupFabrics/Azure/protectionContainers/\(container)/protectedItems/\(item)"
    }

    public static func networkSecurityGroup(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/networkSecurityGroups/\(name)"
    }

    public static func securityRule(nsgID: String, name: String) -> String {
        "\(nsgID)/securityRules/\(name)"
    }

    public static func virtualMachine(subscription: String, resourceGroup: String, name: String) -> String {
        "/subscriptions/\(subscription.asciiLowercased())/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/virtualMachines/\(name)"
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
