import TresorModel

/// TR003: reported by the file reader and the YAML loader (see `YAMLLimits`).
enum SafetyLimitRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR003", severity: .error,
        title: "input over a safety limit: file size, nesting depth, alias expansion, scalar length, document count",
        rationale: """
            Manifests come from pull requests, so tresor treats them as untrusted: a billion-laughs alias bomb, \
            100,000 nested brackets or a gigabyte file must fail fast in bounded memory rather than hang CI. \
            Limits: 256 MiB a file, 64 levels of nesting, 1,000,000 nodes a document with aliases expanded, \
            64 KiB a scalar, 500,000 documents a file.
            """,
        source: "billion-laughs defence",
        triggering: [
            // The 65th bracket is one level too deep.
            String(repeating: "[", count: 64) + "↓" + String(repeating: "[", count: 6) + String(repeating: "]", count: 70),
            """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, ↓*e, *e, *e]
            g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
            """
        ],
        nonTriggering: [
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: &sub 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            ---
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-neu
            subscription: *sub
            resourceGroup: rg-backup-prod
            region: northeurope
            """
        ])
}
