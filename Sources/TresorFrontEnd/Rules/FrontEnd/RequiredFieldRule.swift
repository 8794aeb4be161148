import TresorModel

/// TR006: reported by the decoder at the kind (or the key holding the mapping) that lacks the field.
package enum RequiredFieldRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR006", severity: .error,
        title: "required field missing",
        rationale: "A resource without its identity fields (name, subscription, resource group, region) cannot be created or compared.",
        source: "tresor manifest format (SPEC §1)",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: ↓Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
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
