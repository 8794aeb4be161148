/// Building blocks for the resource rules' examples, so each example spells out only what it is
/// about and the rest is the same valid West Europe estate everywhere. Each function returns one
/// complete YAML document; `manifests` joins documents with `---`.
enum RuleExample {
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"

    static func manifests(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n")
    }

    static func document(_ kind: String, _ lines: [String]) -> String {
        (["apiVersion: tresor/v1", "kind: \(kind)"] + lines).joined(separator: "\n")
    }

    static func vault(_ name: String = "rsv-prod-weu", region: String = "westeurope",
                      resourceGroup: String = "rg-backup-prod", _ more: String...) -> String {
        document("Vault", ["name: \(name)", "subscription: \(subscription)", "resourceGroup: \(resourceGroup)",
                           "region: \(region)"] + more)
    }

    /// A policy in `vault`; without `body`, daily at 19:00 keeping 30 daily points.
    static func policy(_ name: String = "daily-30", vault: String = "rsv-prod-weu", _ body: String...) -> String {
        document("BackupPolicy", ["name: \(name)", "vault: \(vault)"]
            + (body.isEmpty ? [#"schedule: {frequency: Daily, time: "19:00"}"#, "retention: {daily: 30}"] : body))
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
}
