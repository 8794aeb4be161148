import TresorModel

/// TR005: reported by the decoder, with the nearest known field.
enum UnknownFieldRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR005", severity: .error,
        title: "unknown field (suggest the nearest known one)",
        rationale: """
            A misspelt optional field is silently ignored by lenient tools, so the setting the author meant \
            never happens. tresor rejects fields it does not know and names the one that was probably meant.
            """,
        source: "kubeconform -strict",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            ↓replicaton: LRS
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
            replication: GRS
            """
        ])
}
