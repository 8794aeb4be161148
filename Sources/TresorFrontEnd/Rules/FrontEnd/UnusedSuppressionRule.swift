import TresorModel

/// TR012: reported when rule settings are applied, after every rule ran (see `RuleSettings`).
enum UnusedSuppressionRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR012", severity: .warning,
        title: "a `# tresor:ignore` comment suppresses nothing",
        rationale: """
            `# tresor:ignore TR307 <reason>` on the line before a node suppresses that rule's diagnostics at \
            the node (before a document's first line: anywhere in the document). A comment that suppresses \
            nothing is stale or misplaced, and would silently hide the problem once it comes back elsewhere: \
            its code is unknown or cannot be suppressed (only TR1xx–TR5xx can), it gives no reason, or no \
            diagnostic of its code is at the node below it. Unused comments are reported once every manifest \
            reads without front-end errors (TR000–TR010).
            """,
        source: "tresor (not in the SPEC's catalog: the SPEC is silent on rule configuration)",
        triggering: [
            """
            apiVersion: tresor/v1
            kind: VirtualMachine
            name: web-01
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-web
            region: westeurope
            os: {type: Windows, version: "2019"}
            agent: {installed: true, version: "2.7.41491.1102"}
            ↓# tresor:ignore TR307 stopped for the data-centre move
            powerState: running
            """,
            """
            ↓# tresor:ignore TR009 copied from the old repository
            apiVersion: tresor/v1
            kind: VirtualMachine
            name: web-01
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-web
            region: westeurope
            os: {type: Windows, version: "2019"}
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
            kind: VirtualMachine
            name: web-01
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-web
            region: westeurope
            os: {type: Windows, version: "2019"}
            agent: {installed: true, version: "2.7.41491.1102"}
            # tresor:ignore TR307 deallocated for the data-centre move until March
            powerState: deallocated
            ---
            apiVersion: tresor/v1
            kind: Protection
            vault: rsv-prod-weu
            vms: [web-01]
            """
        ])
}
