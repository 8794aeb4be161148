/// Manifests for the rules' examples and the tests: one valid West Europe estate (vault
/// rsv-prod-weu, policy daily-30, VM web-01 and its protection, NSG nsg-web), so that each
/// example spells out only what it is about. Each function returns YAML without a final line
/// break: one document, or several joined by `manifests`, which may be joined again.
enum ExampleManifests {
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"

    /// Documents (or manifests) joined with `---`.
    static func manifests(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n")
    }

    /// `manifests` as a file ends, with a line break: for examples planned after apply and for
    /// tests that append `---` and more documents.
    static func file(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n") + "\n"
    }

    private static func document(_ kind: String, _ lines: [String]) -> String {
        (["apiVersion: tresor/v1", "kind: \(kind)"] + lines).joined(separator: "\n")
    }

    // MARK: Vaults, policies, VMs and protections

    static func vault(
        _ name: String = "rsv-prod-weu", region: String = "westeurope",
        resourceGroup: String = "rg-backup-prod", _ more: String...
    ) -> String {
        document(
            "Vault",
            [
                "name: \(name)", "subscription: \(subscription)", "resourceGroup: \(resourceGroup)",
                "region: \(region)"
            ] + more)
    }

    static let dailySchedule = #"schedule: {frequency: Daily, time: "19:00"}"#
    static let weeklySchedule = #"schedule: {frequency: Weekly, time: "19:00", days: [Sunday]}"#
    static let weeklyRetention = "retention: {weekly: {weeks: 12, days: [Sunday]}}"

    /// A policy in `vault`; without `body`, daily at 19:00 keeping 30 daily points.
    static func policy(_ name: String = "daily-30", vault: String = "rsv-prod-weu", _ body: String...) -> String {
        policy(name, vault: vault, body: body)
    }

    /// The default vault and one policy of it, as `policy` makes it.
    static func vaultWithPolicy(_ name: String, _ body: String...) -> String {
        manifests(vault(), policy(name, vault: "rsv-prod-weu", body: body))
    }

    private static func policy(_ name: String, vault: String, body: [String]) -> String {
        document(
            "BackupPolicy",
            ["name: \(name)", "vault: \(vault)"]
                + (body.isEmpty ? [dailySchedule, "retention: {daily: 30}"] : body))
    }

    /// A Windows Server 2019 VM with a current agent; `more` appends further fields.
    static func vm(
        _ name: String = "web-01", region: String = "westeurope",
        os: String = #"{type: Windows, version: "2019"}"#,
        agent: String = #"{installed: true, version: "2.7.41491.1102"}"#, _ more: String...
    ) -> String {
        document(
            "VirtualMachine",
            [
                "name: \(name)", "subscription: \(subscription)", "resourceGroup: rg-web",
                "region: \(region)", "os: \(os)", "agent: \(agent)"
            ] + more)
    }

    /// A Protection of `vms` (a YAML sequence) in `vault`, with DefaultPolicy unless `policy` is given.
    static func protection(vault: String = "rsv-prod-weu", policy: String? = nil, vms: String = "[web-01]") -> String {
        document("Protection", ["vault: \(vault)"] + (policy.map { ["policy: \($0)"] } ?? []) + ["vms: \(vms)"])
    }

    /// The smallest clean estate: the vault, the VM and its protection on DefaultPolicy.
    static let protectedVM = manifests(vault(), vm(), protection())

    /// The vault, policy daily-30 and web-01 protected on it: a vault that holds one item once applied.
    static let protectedVMOnPolicy = manifests(vault(), policy(), vm(), protection(policy: "daily-30"))

    /// The vault with a Protection of 1001 VMs (vm-1 … vm-1001) on DefaultPolicy: one over the
    /// capacity of a vault (TR107) and of a policy (TR209), marked where vm-1001 is listed. The VMs
    /// are left undeclared (TR010 for each), as 1001 VM documents would drown `tresor explain`.
    static let thousandAndOneVMs = manifests(
        vault(), protection(vms: "[" + (1...1000).map { "vm-\($0)" }.joined(separator: ", ") + ", ↓vm-1001]"))

    // MARK: Network security groups and rules (priorities are text, so that an example can mark one)

    /// web-01 behind `networkSecurityGroups` (a YAML sequence), with its disks and egress.
    static func vmBehindNSG(
        disks: String = "{managed: true}", egress: String = "{via: direct}",
        networkSecurityGroups: String = "[nsg-web]"
    ) -> String {
        vm("web-01", "disks: \(disks)", "networkSecurityGroups: \(networkSecurityGroups)", "egress: \(egress)")
    }

    /// An observed NSG in West Europe with `rules` (YAML sequence entries), or no `rules:` without them.
    static func nsg(_ name: String = "nsg-web", rules: [String] = []) -> String {
        document(
            "NetworkSecurityGroup",
            [
                "name: \(name)", "subscription: \(subscription)", "resourceGroup: rg-net",
                "region: westeurope"
            ] + (rules.isEmpty ? [] : ["rules:"] + rules))
    }

    /// An observed rule that denies all outbound traffic.
    static func denyAllOutbound(priority: String) -> String {
        """
          - {name: Deny_All_Outbound, direction: Outbound, access: Deny, priority: \(priority),
             protocol: "*", source: "*", sourcePorts: "*", destination: "*", destinationPorts: "*"}
        """
    }

    /// A managed outbound Allow in nsg-web.
    static func allowOutbound(
        _ name: String, priority: String, source: String = "VirtualNetwork",
        destination: String = "Storage.westeurope", ports: String
    ) -> String {
        document(
            "NetworkRule",
            [
                "name: \(name)", "nsg: nsg-web", "direction: Outbound", "access: Allow",
                "priority: \(priority)", "protocol: Tcp", "source: \(source)", #"sourcePorts: "*""#,
                "destination: \(destination)", "destinationPorts: \(ports)"
            ])
    }

    /// nsg-web locked down by Deny_All_Outbound, with the managed backup exception allow-azure-backup.
    static func lockdown(denyAt: String, backupAllowAt: String, ports: String = "\"8443\"") -> String {
        manifests(
            nsg(rules: [denyAllOutbound(priority: denyAt)]),
            allowOutbound("allow-azure-backup", priority: backupAllowAt, ports: ports))
    }
}
