import TresorModel

/// TR010: reported by the binder for vault, policy, VM and NSG references.
enum ReferenceRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR010", severity: .error,
        title: "reference resolves to nothing (suggest nearest) or to more than one resource",
        rationale: """
            Policies, protections and network rules name the resources they belong to. VMs are named by name, \
            resourceGroup/name or resource ID; a reference must name exactly one declared resource.
            """,
        source: "tresor manifest format (SPEC §1)",
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
            kind: BackupPolicy
            name: daily-30
            vault: ↓rsv-prod-wue
            schedule: {frequency: Daily, time: "19:00"}
            retention: {daily: 30}
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
            kind: BackupPolicy
            name: daily-30
            vault: rsv-prod-weu
            schedule: {frequency: Daily, time: "19:00"}
            retention: {daily: 30}
            """
        ])
}
