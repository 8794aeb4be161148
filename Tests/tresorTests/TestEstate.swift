import Foundation

/// Manifests of a synthetic estate for the tests that run the built tresor.
enum TestEstate {
    /// `vaults` vaults with one policy each and `perVault` protected VMs each, one file per vault in
    /// `folder`; `name` tells the estates of different tests apart.
    static func write(vaults: Int, perVault: Int, name: String, into folder: String) throws {
        let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"
        for vault in 0..<vaults {
            var text = """
                apiVersion: tresor/v1
                kind: Vault
                name: rsv-\(name)-\(vault)
                subscription: \(subscription)
                resourceGroup: rg-backup
                region: westeurope
                ---
                apiVersion: tresor/v1
                kind: BackupPolicy
                name: daily-30
                vault: rsv-\(name)-\(vault)
                schedule: {frequency: Daily, time: "19:00"}
                retention: {daily: 30}
                ---
                apiVersion: tresor/v1
                kind: Protection
                vault: rsv-\(name)-\(vault)
                policy: daily-30
                vms:

                """
            for vm in 0..<perVault { text += "  - rg-\(name)-\(vault)/vm-\(vault)-\(vm)\n" }
            for vm in 0..<perVault {
                text += """
                    ---
                    apiVersion: tresor/v1
                    kind: VirtualMachine
                    name: vm-\(vault)-\(vm)
                    subscription: \(subscription)
                    resourceGroup: rg-\(name)-\(vault)
                    region: westeurope
                    os: {type: Windows, version: "2019"}
                    agent: {installed: true, version: "2.7.41491.1102"}

                    """
            }
            try text.write(toFile: "\(folder)/vault-\(vault).yaml", atomically: true, encoding: .utf8)
        }
    }
}
