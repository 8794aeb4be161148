import TresorModel
import TresorSupport

/// TR104: a vault's storage replication is fixed once it holds backup items.
enum ReplicationLockRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR104", severity: .error,
        title: "replication changed on a vault that holds backup items in stored state",
        rationale: """
            A Recovery Services vault's storage replication (GRS or LRS) can only be changed before the first \
            item is protected in it. Once the vault holds backup items (protected, or stopped with data \
            retained), Azure refuses the change (StorageModelModifyError) and the vault must be recreated. \
            tresor knows which vaults hold items from stored state, and when plan refreshes, from Azure itself: \
            items tresor does not manage and soft-deleted items count too, as Azure counts them. It reports the \
            change at plan time instead of letting apply fail.
            """,
        source: "seed 000 (note: replication cannot be changed once the vault holds backup items; recreate the vault)",
        triggering: [], nonTriggering: [],
        triggeringAfterApply: [
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy),
                manifests: Example.file(
                    Example.vault("rsv-prod-weu", "replication: ↓LRS"), Example.policy(), Example.vm(),
                    Example.protection(policy: "daily-30")))
        ],
        nonTriggeringAfterApply: [
            // No item yet: replication may still change.
            StateExample(
                applied: Example.file(Example.vault(), Example.vm()),
                manifests: Example.file(Example.vault("rsv-prod-weu", "replication: LRS"), Example.vm())),
            // Items, but replication unchanged.
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy),
                manifests: Example.file(
                    Example.vault("rsv-prod-weu", "replication: GRS", "tags: {env: prod}"), Example.policy(),
                    Example.vm(), Example.protection(policy: "daily-30")))
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        guard let state = context.state, !state.isEmpty else { return }
        var itemCounts: [String: Int]?
        for vault in context.estate.vaults {
            guard let stored = state.resource(id: vault.id), stored.kind == .vault,
                let storedReplication = stored.attributes["replication"]?.stringValue,
                storedReplication != vault.effectiveReplication.rawValue,
                // A vault whose region changes is created anew (TR601 guards that instead).
                stored.attributes["region"]?.stringValue == vault.region.value.lowercased()
            else { continue }
            if itemCounts == nil { itemCounts = context.liveItemCounts ?? state.itemCountsByVault() }
            let items = itemCounts?[stored.key] ?? 0
            guard items > 0 else { continue }
            diagnostics.append(
                diagnostic(
                    "replication of vault \(vault.name.value) cannot change from \(storedReplication) to "
                        + "\(vault.effectiveReplication.rawValue): it holds \(plural(items, "backup item")) "
                        + (context.liveItemCounts == nil ? "in stored state" : "in Azure"),
                    at: vault.replication?.range ?? vault.name.range,
                    help: "keep `replication: \(storedReplication)`; for \(vault.effectiveReplication.rawValue), "
                        + "create a new vault and move the VMs to it (which deletes their recovery points)"))
        }
    }
}
