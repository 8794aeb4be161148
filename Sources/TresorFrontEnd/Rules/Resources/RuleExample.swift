/// Building blocks for the resource rules' examples, so each example spells out only what it is
/// about and the rest is the same valid West Europe estate everywhere. Each function returns one
/// complete YAML document; `manifests` joins documents with `---`.
enum RuleExample {
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"

    static func manifests(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n")
    }

    private static func document(_ kind: String, _ lines: [String]) -> String {
        (["apiVersion: tresor/v1", "kind: \(kind)"] + lines).joined(separator: "\n")
    }

    static func vault(_ name: String = "rsv-prod-weu", region: String = "westeurope",
                      resourceGroup: String = "rg-backup-prod", _ more: String...) -> String {
        document("Vault", ["name: \(name)", "subscription: \(subscription)", "resourceGroup: \(resourceGroup)",
                           "region: \(region)"] + more)
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
        document("BackupPolicy", ["name: \(name)", "vault: \(vault)"]
            + (body.isEmpty ? [dailySchedule, "retention: {daily: 30}"] : body))
    }

    /// A Windows Server 2019 VM with a current agent; `more` appends further fields.
    static func vm(_ name: String = "web-01", region: String = "westeurope",
                   os: String = #"{type: Windows, version: "2019"}"#,
                   agent: String = #"{installed: true, version: "2.7.41491.1102"}"#, _ more: String...) -> String {
        document("VirtualMachine", ["name: \(name)", "subscription: \(subscription)", "resourceGroup: rg-web",
                                    "region: \(region)", "os: \(os)", "agent: \(agent)"] + more)
    }

    /// A Protection of `vms` (a YAML sequence) in `vault`, with DefaultPolicy unless `policy` is given.
    static func protection(vault: String = "rsv-prod-weu", policy: String? = nil, vms: String = "[web-01]") -> String {
        document("Protection", ["vault: \(vault)"] + (policy.map { ["policy: \($0)"] } ?? []) + ["vms: \(vms)"])
    }

    /// The smallest clean estate: the vault, the VM and its protection on DefaultPolicy.
    static let protectedVM = manifests(vault(), vm(), protection())

    /// The vault with a Protection of 1001 VMs (vm-1 … vm-1001) on DefaultPolicy: one over the
    /// capacity of a vault (TR107) and of a policy (TR209). The VMs are left undeclared (TR010 for
    /// each), as 1001 VM documents would drown `tresor explain`.
    static let thousandAndOneVMs = manifests(
        vault(), protection(vms: "[" + (1...1001).map { "vm-\($0)" }.joined(separator: ", ") + "]"))
}
