import TresorModel

/// TR608: reported by a refreshed plan (TresorPlan's `AlreadyInAzure`) for what the manifests
/// declare, Azure already holds, and state does not record.
package enum AlreadyInAzureRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR608", severity: .error,
        title: "declared in the manifests and already in Azure, but not in state",
        rationale: """
            Refresh also reads the vaults and NSGs the manifests declare that state does not know. When one of \
            them, or a policy, protected item or security rule the manifests declare, already exists in Azure, \
            creating it would overwrite a resource tresor does not manage (a PUT replaces a policy or a rule \
            whole), or be refused. tresor never changes what it does not manage, so the plan stops here: \
            `tresor apply --refresh-only` adopts what the manifests declare and Azure holds, recording Azure's \
            values in state without changing Azure, and the next plan shows how they differ from the manifests. \
            The plan already checks the manifests against Azure's values (TR104, TR105), so a replication or Cross \
            Region Restore Azure would refuse shows beside it. This is about Azure's estate, so it has no \
            manifest examples: the refresh tests cover it.
            """,
        source: "SPEC §7 (resources tresor does not manage are never changed)",
        triggering: [], nonTriggering: [])
}
