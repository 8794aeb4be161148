import TresorModel

/// TR107: how much one vault holds.
enum VaultCapacityRule: EstateRule {
    private typealias Example = ExampleManifests

    static let maxVMs = 1000
    static let maxPolicies = 200

    static let description = RuleDescription(
        code: "TR107", severity: .error,
        title: "more than 1000 VMs protected in one vault, or more than 200 policies in one vault",
        rationale: """
            A Recovery Services vault protects up to 1000 Azure VMs and holds up to 200 backup policies; \
            beyond that, enabling protection or creating a policy fails. VMs are counted once however many \
            Protection documents list them, undeclared ones (TR010) by their reference. Policies counted \
            are the declared ones: the built-in DefaultPolicy is not one you create, and a declared policy \
            named DefaultPolicy is that one, counted once. The seeds name no such limit.
            """,
        source:
            #"Azure Backup support matrix ("up to 1000 Azure VMs in a single vault"); Azure Backup FAQ ("up to 200 policies per vault")"#,
        triggering: [
            Example.thousandAndOneVMs
        ],
        nonTriggering: [
            Example.protectedVM
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        let count = ProtectedVMCount(estate, groupCount: estate.vaults.count, limit: maxVMs, group: \.vaultIndex)
        for overflow in count.overflows {
            let vault = estate.vaults[overflow.group]
            diagnostics.append(
                diagnostic(
                    "vault \"\(vault.name.value)\" would protect \(overflow.count) VMs; a vault protects at most \(maxVMs)",
                    at: overflow.listing,
                    notes: [
                        DiagnosticNote(
                            "VM number \(maxVMs + 1) of the vault is listed here; the vault is declared here",
                            at: vault.name.range)
                    ],
                    help: "protect the remaining VMs with another vault in \(vault.region.value)"))
        }
        for (index, policies) in estate.policiesOfVault.enumerated() where policies.count > maxPolicies {
            let vault = estate.vaults[index]
            diagnostics.append(
                diagnostic(
                    "vault \"\(vault.name.value)\" would hold \(policies.count) policies; a vault holds at most \(maxPolicies)",
                    at: estate.policies[policies[maxPolicies]].name.range,
                    notes: [DiagnosticNote("the vault is declared here", at: vault.name.range)],
                    help: "share policies between VMs with the same schedule and retention, or use another vault"))
        }
    }
}
