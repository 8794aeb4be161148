import TresorModel

/// TR007: reported by the decoder when a node has the wrong YAML shape.
package enum ValueTypeRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR007", severity: .error,
        title: "value of the wrong YAML type (sequence where a scalar belongs, …)",
        rationale: "Each field holds one shape: a scalar, a sequence or a mapping. Anything else cannot mean what the author intended.",
        source: "tresor manifest format (SPEC §1)",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: ↓[rsv-prod-weu]
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
            """
        ])
}
