/// TR209: how many VMs one policy protects.
enum PolicyCapacityRule: EstateRule {
    static let maxVMs = 1000

    static let description = RuleDescription(
        code: "TR209", severity: .error,
        title: "more than 1000 VMs on one policy",
        rationale: """
            Azure Backup associates at most 1000 VMs with one backup policy when protection is enabled \
            through the az CLI or the REST API (the portal stops at 100). Each vault's built-in DefaultPolicy \
            is a policy like any other here: VMs protected without `policy:` count on it. VMs are counted \
            once however many Protection documents list them. The seeds name no such limit; the FAQ \
            recommends more policies above 100 VMs.
            """,
        source: #"az CLI (az backup protection enable-for-vm); Azure Backup FAQ ("a limit of 100 VMs … to the same backup policy from portal")"#,
        triggering: [
            RuleExample.manifests(
                RuleExample.vault(),
                RuleExample.protection(vms: "[" + (1...1001).map { "vm-\($0)" }.joined(separator: ", ") + "]")),
        ],
        nonTriggering: [
            RuleExample.manifests(RuleExample.vault(), RuleExample.vm(), RuleExample.protection()),
        ])

    /// A vault's declared policy, or its built-in DefaultPolicy.
    private enum Policy: Hashable {
        case declared(Int)
        case builtinDefault(vault: Int)
    }

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        let count = ProtectedVMCount<Policy>(estate, limit: maxVMs) { protection in
            switch protection.policyBinding {
            case .declared(let index): .declared(index)
            case .builtinDefault: protection.vaultIndex.map { .builtinDefault(vault: $0) }
            case .unresolved: nil
            }
        }
        for overflow in count.overflows {
            let name: String
            let declaredAt: DiagnosticNote
            switch overflow.group {
            case .declared(let index):
                name = estate.policies[index].name.value
                declaredAt = DiagnosticNote("the policy is declared here", at: estate.policies[index].name.range)
            case .builtinDefault(let vault):
                name = BackupPolicy.defaultName
                declaredAt = DiagnosticNote("the built-in \(name) belongs to this vault", at: estate.vaults[vault].name.range)
            }
            diagnostics.append(Diagnostic(
                "TR209", .error, "policy \"\(name)\" would protect \(overflow.count) VMs; a policy protects at most \(maxVMs)",
                at: overflow.listing, notes: [declaredAt],
                help: "split the VMs over two or more policies with the same schedule and retention"))
        }
    }
}
