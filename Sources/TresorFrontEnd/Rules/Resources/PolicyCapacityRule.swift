import TresorModel

/// TR209: how many VMs one policy protects.
enum PolicyCapacityRule: EstateRule {
    private typealias Example = ExampleManifests

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
        source:
            #"az CLI (az backup protection enable-for-vm); Azure Backup FAQ ("a limit of 100 VMs … to the same backup policy from portal")"#,
        triggering: [
            Example.thousandAndOneVMs
        ],
        nonTriggering: [
            Example.protectedVM
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        // Groups: the declared policies by index, then each vault's built-in DefaultPolicy.
        let defaultPolicyOf = { (vault: Int) in estate.policies.count + vault }
        let count = ProtectedVMCount(estate, groupCount: estate.policies.count + estate.vaults.count, limit: maxVMs) {
            switch $0.policyBinding {
            case .declared(let index): index
            case .builtinDefault: $0.vaultIndex.map(defaultPolicyOf)
            case .unresolved: nil
            }
        }
        for overflow in count.overflows {
            let name: String
            let declaredAt: DiagnosticNote
            if overflow.group < estate.policies.count {
                let policy = estate.policies[overflow.group]
                name = policy.name.value
                declaredAt = DiagnosticNote("the policy is declared here", at: policy.name.range)
            } else {
                name = BackupPolicy.defaultName
                declaredAt = DiagnosticNote(
                    "the built-in \(name) belongs to this vault",
                    at: estate.vaults[overflow.group - estate.policies.count].name.range)
            }
            diagnostics.append(
                diagnostic(
                    "policy \"\(name)\" would protect \(overflow.count) VMs; a policy protects at most \(maxVMs)",
                    at: overflow.listing, notes: [declaredAt],
                    help: "split the VMs over two or more policies with the same schedule and retention"))
        }
    }
}
