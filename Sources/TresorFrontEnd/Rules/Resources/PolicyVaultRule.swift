import TresorModel

/// TR303: a protection's policy belongs to the protection's vault. The binder leaves such a
/// policy unbound without a diagnostic when another vault holds the name (none at all is TR010).
enum PolicyVaultRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR303", severity: .error,
        title: "protection names a policy that its vault does not hold but another vault does",
        rationale: """
            A backup policy lives in a vault and protects only that vault's VMs. Naming another vault's \
            policy is a likely copy-and-paste slip: declare the policy in this vault too, or pick one it holds.
            """,
        source: "REST Protected Items - Create Or Update (policyId must be a policy of the same vault)",
        triggering: [
            Example.manifests(
                Example.vault(), Example.vault("rsv-dr-weu"), Example.policy("daily-30", vault: "rsv-dr-weu"),
                Example.vm(), Example.protection(policy: "↓daily-30"))
        ],
        nonTriggering: [
            Example.manifests(
                Example.vault(), Example.policy("daily-30"), Example.vm(),
                Example.protection(policy: "daily-30"))
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        let holders = Dictionary(grouping: estate.policies.indices) { estate.policies[$0].name.value.lowercased() }
        for protection in estate.protections {
            guard protection.policyBinding == .unresolved, let vaultIndex = protection.vaultIndex,
                let policy = protection.policy
            else { continue }
            guard let other = holders[policy.value.lowercased()]?.first else { continue }
            let vault = estate.vaults[vaultIndex]
            let otherVault = estate.policies[other].vaultIndex.map { estate.vaults[$0].name.value } ?? "another vault"
            let own = estate.policiesOfVault[vaultIndex].map { estate.policies[$0].name.value } + [BackupPolicy.defaultName]
            diagnostics.append(
                diagnostic(
                    "vault \"\(vault.name.value)\" holds no policy \"\(policy.value)\"; the policy of that name belongs to vault \"\(otherVault)\"",
                    at: policy.range,
                    notes: [DiagnosticNote("declared in vault \"\(otherVault)\" here", at: estate.policies[other].name.range)],
                    help:
                        "declare \"\(policy.value)\" in vault \"\(vault.name.value)\", or use one of its policies: \(own.joined(separator: ", "))"
                ))
        }
    }
}
