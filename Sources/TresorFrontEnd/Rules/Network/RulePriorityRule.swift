import TresorModel

/// TR403: NSG rule priorities outside 100–4096, or repeated within one NSG and direction.
enum RulePriorityRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR403", severity: .error,
        title: "NSG rule priority outside 100–4096, or two rules in one NSG with the same direction and priority",
        rationale: """
            Azure evaluates an NSG's rules by priority number, lowest first, and accepts 100 to 4096 for \
            the user's rules (65000–65500 belong to its default rules, which manifests need not write; \
            written out with their own name and priority they are accepted). Each number can be used \
            once per direction, counting the observed rules and the managed NetworkRules of the NSG \
            together: Azure refuses the second rule, so tresor does not rely on it.
            """,
        source: "Azure NSG security rules (priority: \"between 100 and 4096\", \"unique for each rule in the collection\")",
        triggering: [
            Example.nsg(rules: [Example.denyAllOutbound(priority: "↓4097")]),
            Example.lockdown(denyAt: "1000", backupAllowAt: "↓1000")
        ],
        nonTriggering: [
            Example.lockdown(denyAt: "4096", backupAllowAt: "100")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for nsg in context.estate.effectiveSecurityRules() {
            for rule in nsg.rules {
                guard let declaration = rule.declaration else { continue }
                let priority = declaration.priority
                if !SecurityRuleLimits.priorities.contains(priority.value) {
                    diagnostics.append(
                        diagnostic(
                            "priority \(priority.value) of \(rule.name) is outside 100–4096", at: priority.range,
                            help: "use a number from 100 (evaluated first) to 4096; Azure keeps 65000–65500 for its default rules"))
                } else if let first = rule.samePriorityAs, let firstDeclaration = nsg.rules[first].declaration {
                    diagnostics.append(
                        diagnostic(
                            "\(rule.name) has the same priority (\(priority.value)) as \(nsg.rules[first].name) among the \(rule.direction.rawValue) rules of \(nsg.nsgName)",
                            at: priority.range,
                            notes: [
                                DiagnosticNote(
                                    "\(nsg.rules[first].name) has priority \(priority.value) here", at: firstDeclaration.priority.range)
                            ],
                            help: "give \(rule.name) a priority number that no other \(rule.direction.rawValue) rule of \(nsg.nsgName) uses"
                                + (nsg.freePriority(below: priority.value, direction: rule.direction).map { ", such as \($0)" } ?? "")))
                }
            }
        }
    }
}
