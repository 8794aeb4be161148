import TresorModel

/// TR404: an Allow rule that never applies because a Deny before it covers all of its traffic.
enum ShadowedRuleRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR404", severity: .warning,
        title: "an Allow rule is shadowed: a Deny with a lower priority number covers all of its traffic",
        rationale: """
            Azure stops at the first rule that matches, lowest priority number first, so an Allow whose \
            traffic a Deny with a lower number in the same NSG and direction fully covers never applies. \
            This is the usual reason a backup exception does not work: the seeds' example is a Deny_All \
            at 1000, which means the new Allow must be below 1000. Coverage is proven field by field: \
            protocol, source and destination ports, and addresses, where "*" covers everything, a CIDR \
            covers the CIDRs inside it, Internet covers Storage and AzureCloud (regional or not), \
            AzureCloud covers Storage and a tag covers its regional forms. A CIDR and a service tag are \
            never taken to cover each other, and rules with invalid fields are not compared.
            """,
        source: "seeds 000, 001 (\"with a Deny_All rule at priority 1000 your new rule must be below 1000\")",
        triggering: [
            Example.lockdown(denyAt: "1000", backupAllowAt: "↓1001")
        ],
        nonTriggering: [
            Example.lockdown(denyAt: "1000", backupAllowAt: "999")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for nsg in context.estate.effectiveSecurityRules() {
            // Valid declared rules by priority; a rule is shadowed by the first Deny before it that covers it.
            let ordered = nsg.evaluationOrder.map { nsg.rules[$0] }.filter { $0.declaration != nil && $0.isValid }
            for (position, allow) in ordered.enumerated() where allow.access == .Allow {
                guard let allowed = allow.criteria, let declaration = allow.declaration,
                    let deny = ordered[..<position].first(where: {
                        $0.access == .Deny && $0.direction == allow.direction && $0.priority < allow.priority
                            && $0.criteria?.covers(allowed) == true
                    })
                else { continue }
                diagnostics.append(
                    diagnostic(
                        "\(allow.label) in \(nsg.nsgName) never applies: \(deny.label) denies all of its traffic first",
                        at: declaration.priority.range, notes: [deny.note("is declared")],
                        help: nsg.freePriority(below: deny.priority, direction: allow.direction).map {
                            "give \(allow.name) a priority number below \(deny.priority), such as \($0)"
                        } ?? "move \(deny.name) to a higher priority number than \(allow.name)"))
            }
        }
    }
}
