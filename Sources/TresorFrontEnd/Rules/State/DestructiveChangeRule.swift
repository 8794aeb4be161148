import TresorModel

/// TR601: reported by the planner for every change that deletes recovery points.
package enum DestructiveChangeRule: FrontEndRule {
    private typealias Example = ExampleManifests

    package static let description = RuleDescription(
        code: "TR601", severity: .error,
        title: "plan would delete recovery points without --allow-destroy",
        rationale: """
            Recovery points are the one thing a backup tool must not lose by accident. Deleting a vault that \
            holds items, replacing one (a vault cannot change region), deleting a protected item's data, or \
            moving a VM to another vault (its item in the old vault goes with its recovery points) all \
            destroy them. Such a plan is refused unless `--allow-destroy` is given. Removing a VM from the \
            manifests is not destructive: protection stops and its recovery points are retained. A move \
            between vaults is also TR302 (a VM is registered in one vault at a time): both are reported, \
            as the SPEC lists the move under both.
            """,
        source: "backup safety (SPEC §3); Terraform's prevent_destroy",
        triggering: [], nonTriggering: [],
        triggeringAfterApply: [
            // The vault goes, with the item it holds.
            StateExample(applied: Example.file(Example.protectedVMOnPolicy), manifests: Example.file(Example.vm())),
            // A vault cannot move region: replacing it deletes its item's recovery points.
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy),
                manifests: Example.file(
                    Example.vault(region: "↓northeurope"), Example.policy(), Example.vm(region: "northeurope"),
                    Example.protection(policy: "daily-30"))),
            // The VM moves to another vault: its item in the first goes with its recovery points.
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy, Example.vault("rsv-prod-weu-2")),
                manifests: Example.file(
                    Example.vault(), Example.policy(), Example.vault("rsv-prod-weu-2"), Example.vm(),
                    Example.protection(vault: "rsv-prod-weu-2", vms: "[↓web-01]")))
        ],
        nonTriggeringAfterApply: [
            // Protection stops, recovery points are retained.
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy),
                manifests: Example.file(Example.vault(), Example.policy(), Example.vm())),
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy), manifests: Example.file(Example.vm()),
                allowDestroy: true),
            StateExample(
                applied: Example.file(Example.protectedVMOnPolicy, Example.vault("rsv-prod-weu-2")),
                manifests: Example.file(
                    Example.vault(), Example.policy(), Example.vault("rsv-prod-weu-2"), Example.vm(),
                    Example.protection(vault: "rsv-prod-weu-2")),
                allowDestroy: true)
        ])
}
