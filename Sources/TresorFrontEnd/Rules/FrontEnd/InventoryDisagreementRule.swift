import TresorModel

/// TR011: reported when az CLI inventories are merged into the estate (see `InventoryMerge`).
enum InventoryDisagreementRule: FrontEndRule {
    static let description = RuleDescription(
        code: "TR011", severity: .error,
        title: "a manifest and an inventory disagree about a VM or NSG",
        rationale: """
            Observed facts may come from manifests and from az CLI inventories (`--inventory`). When both \
            describe the same VM or NSG (the same resource ID), every fact both state must agree: region, \
            OS type and version, deployment model, power state, managed disks and data disk count; for an \
            NSG its region and, when the manifest lists `rules`, each rule tresor does not own. A disagreement \
            means the manifest is stale or the inventory is, and the rules would check the wrong facts. The \
            diagnostic points at the manifest's value, with a note at the inventory's. Facts a manifest leaves \
            out are taken from the inventory.
            """,
        source: "SPEC §5 (\"A fact declared in both places must agree\")",
        // An example needs an inventory file beside the manifest; InventoryTests has them.
        triggering: [], nonTriggering: [])
}
