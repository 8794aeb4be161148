import TresorModel

/// Manifest documents the stored-state rules build their examples from: a vault, a policy, a
/// VM and its protection in West Europe. Examples join them with `---`.
enum StateExampleManifests {
    static let vault = """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-weu
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: westeurope

        """

    static let policy = """
        apiVersion: tresor/v1
        kind: BackupPolicy
        name: daily-30
        vault: rsv-prod-weu
        schedule: {frequency: Daily, time: "19:00"}
        retention: {daily: 30}

        """

    static let virtualMachine = """
        apiVersion: tresor/v1
        kind: VirtualMachine
        name: web-01
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-web
        region: westeurope
        os: {type: Windows, version: "2019"}
        agent: {installed: true, version: "2.7.41491.1102"}

        """

    static let protection = """
        apiVersion: tresor/v1
        kind: Protection
        vault: rsv-prod-weu
        policy: daily-30
        vms: [web-01]

        """

    /// A second, empty vault beside the first.
    static let otherVault = """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-weu-2
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: westeurope

        """

    /// web-01 protected in the second vault, with its DefaultPolicy.
    static let protectionInOtherVault = """
        apiVersion: tresor/v1
        kind: Protection
        vault: rsv-prod-weu-2
        vms: [web-01]

        """

    /// A vault that holds one protected item once applied.
    static let protectedEstate = join(vault, policy, virtualMachine, protection)

    static func join(_ documents: String...) -> String {
        documents.joined(separator: "---\n")
    }
}
