import TresorModel

/// TR004: reported by the decoder for each document's `apiVersion` and `kind`.
enum DocumentHeaderRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR004", severity: .error,
        title: "apiVersion missing or not tresor/v1; kind missing or unknown",
        rationale: """
            Every document is one resource and says which: `apiVersion: tresor/v1` and a kind among Vault, \
            BackupPolicy, Protection, NetworkRule, VirtualMachine and NetworkSecurityGroup. Without them tresor \
            cannot know which fields to expect.
            """,
        source: "tresor manifest format (SPEC §1)",
        triggering: [
            """
            apiVersion: ↓tresor/v2
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            """,
            """
            apiVersion: tresor/v1
            kind: ↓RecoveryVault
            name: rsv-prod-weu
            """
        ],
        nonTriggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            """
        ])
}
