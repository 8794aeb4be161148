import TresorModel

/// TR002: reported by the YAML loader; the first value is kept.
enum DuplicateKeyRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR002", severity: .error,
        title: "a mapping repeats a key",
        rationale: """
            YAML forbids repeated keys, but many parsers silently keep the last value, so a reviewer reads \
            one region and Azure gets another.
            """,
        source: "YAML spec (mapping keys are unique)",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            ↓region: northeurope
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
            tags: {region: westeurope, env: prod}
            """
        ])
}
