import TresorModel

/// TR008: reported by the decoder for enums, GUIDs, integers, booleans and resource group names.
package enum AllowedValueRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR008", severity: .error,
        title: "value outside its allowed set or format (enum, GUID, integer) where no more specific rule covers it",
        rationale: """
            Scalars are typed by the field that holds them. Enums match case-insensitively; booleans are \
            true or false only; subscriptions are GUIDs; counts are whole numbers. The message lists what is allowed.
            """,
        source: "tresor manifest format (SPEC §1); Azure resource naming rules",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            replication: ↓ZRS
            """,
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: ↓prod
            resourceGroup: rg-backup-prod
            region: westeurope
            """,
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            crossRegionRestore: ↓yes
            """
        ],
        nonTriggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1F0C5C6E-0000-4000-8000-00000000A001
            resourceGroup: rg-backup-prod
            region: westeurope
            replication: grs
            crossRegionRestore: false
            """
        ])
}
