import TresorModel

/// Documents the TR4xx examples share, so that each example reads as a whole estate while each
/// rule file shows only what its examples are about.
enum NetworkRuleExamples {
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"

    /// The vault in West Europe and a Protection of web-01 in it (DefaultPolicy).
    static let vaultProtectingWeb01 = """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-weu
        subscription: \(subscription)
        resourceGroup: rg-backup-prod
        region: westeurope
        ---
        apiVersion: tresor/v1
        kind: Protection
        vault: rsv-prod-weu
        vms: [web-01]
        """

    /// VM web-01 in West Europe behind nsg-web.
    static func web01(disks: String = "{managed: true}", egress: String = "{via: direct}") -> String {
        """
        apiVersion: tresor/v1
        kind: VirtualMachine
        name: web-01
        subscription: \(subscription)
        resourceGroup: rg-web
        region: westeurope
        os: {type: Windows, version: "2019"}
        agent: {installed: true, version: "2.7.41491.1102"}
        disks: \(disks)
        networkSecurityGroups: [nsg-web]
        egress: \(egress)
        """
    }

    /// The observed NSG nsg-web in West Europe with `rules` (YAML sequence entries).
    static func nsgWeb(_ rules: String...) -> String {
        """
        apiVersion: tresor/v1
        kind: NetworkSecurityGroup
        name: nsg-web
        subscription: \(subscription)
        resourceGroup: rg-net
        region: westeurope
        rules:
        \(rules.joined(separator: "\n"))
        """
    }

    /// An observed rule that denies all outbound traffic.
    static func denyAllOutbound(priority: Int) -> String {
        """
          - {name: Deny_All_Outbound, direction: Outbound, access: Deny, priority: \(priority),
             protocol: "*", source: "*", sourcePorts: "*", destination: "*", destinationPorts: "*"}
        """
    }

    /// A managed outbound Allow in nsg-web.
    static func allowOutbound(_ name: String, priority: Int, source: String = "VirtualNetwork",
                              destination: String = "Storage.westeurope", ports: String) -> String {
        """
        apiVersion: tresor/v1
        kind: NetworkRule
        name: \(name)
        nsg: nsg-web
        direction: Outbound
        access: Allow
        priority: \(priority)
        protocol: Tcp
        source: \(source)
        sourcePorts: "*"
        destination: \(destination)
        destinationPorts: \(ports)
        """
    }

    /// nsg-web locked down by Deny_All_Outbound, with the managed backup exception allow-azure-backup.
    static func lockdown(denyAt: Int, backupAllowAt: Int, ports: String = "\"8443\"") -> String {
        estate(nsgWeb(denyAllOutbound(priority: denyAt)), allowOutbound("allow-azure-backup", priority: backupAllowAt, ports: ports))
    }

    /// Documents joined into one manifest file.
    static func estate(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n")
    }
}
