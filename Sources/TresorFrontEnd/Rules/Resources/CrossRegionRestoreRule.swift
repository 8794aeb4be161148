import TresorModel

/// TR105, manifest half: cross-region restore needs a geo-redundant vault. (That it cannot be
/// turned off again needs stored state and is checked with it.)
package enum CrossRegionRestoreRule: EstateRule {
    private typealias Example = ExampleManifests

    package static let description = RuleDescription(
        code: "TR105", severity: .error,
        title: "crossRegionRestore needs GRS; once enabled it cannot be disabled",
        rationale: """
            Cross Region Restore restores from the copy that geo-redundant storage keeps in the paired \
            region, so it exists only on GRS vaults: Azure refuses it on an LRS vault. Once enabled it \
            cannot be turned off (checked against stored state). The 2017 classic-model seeds 003/004 say \
            cross-region restore is not supported; current Recovery Services vaults offer it on GRS.
            """,
        source: "az backup vault backup-properties set --cross-region-restore-flag; Terraform azurerm cross_region_restore_enabled",
        triggering: [
            Example.vault("rsv-prod-weu", "replication: LRS", "crossRegionRestore: ↓true")
        ],
        nonTriggering: [
            Example.vault("rsv-prod-weu", "crossRegionRestore: true"),
            Example.vault("rsv-prod-weu", "replication: LRS", "crossRegionRestore: false")
        ])

    package static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for vault in context.estate.vaults {
            guard let restore = vault.crossRegionRestore, restore.value, let replication = vault.replication,
                replication.value == .LRS
            else { continue }
            diagnostics.append(
                diagnostic(
                    "vault \"\(vault.name.value)\" enables crossRegionRestore but its replication is LRS",
                    at: restore.range,
                    notes: [DiagnosticNote("replication is set to LRS here", at: replication.range)],
                    help: "set `replication: GRS`, or set `crossRegionRestore: false`"))
        }
    }
}
