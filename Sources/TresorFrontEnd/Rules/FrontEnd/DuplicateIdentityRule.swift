import TresorModel

/// TR009: reported by the binder; the first declaration is kept.
enum DuplicateIdentityRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR009", severity: .error,
        title: "two documents declare the same resource identity",
        rationale: """
            A resource's identity is its Azure resource ID, compared case-insensitively as Azure does. Two \
            documents with one identity would fight over one resource; only the first is kept.
            """,
        source: "Azure resource IDs",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            ---
            apiVersion: tresor/v1
            kind: Vault
            name: ↓RSV-PROD-WEU
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
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
            ---
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a002
            resourceGroup: rg-backup-prod
            region: westeurope
            """
        ])
}
