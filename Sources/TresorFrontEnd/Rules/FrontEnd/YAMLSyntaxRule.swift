import TresorModel

/// TR001: reported by the YAML loader with libyaml's own problem and context, at its mark.
enum YAMLSyntaxRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR001", severity: .error,
        title: "YAML is not well formed",
        rationale: """
            tresor reads manifests with libyaml and reports its problem and context exactly where libyaml \
            found it. Invalid UTF-8 is reported here too, at the offending byte.
            """,
        source: "YAML 1.1; libyaml",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
              region↓: westeurope
            """,
            """
            apiVersion: tresor/v1
            kind: Protection
            vault: rsv-prod-weu
            vms: [web-01, web-02
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
