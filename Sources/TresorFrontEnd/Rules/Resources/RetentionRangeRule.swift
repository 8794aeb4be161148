import TresorModel

/// TR204: how many retention points each tier keeps.
enum RetentionRangeRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR204", severity: .error,
        title: "retention counts: daily 7–9999 days, weekly 1–5163 weeks, monthly 1–1188 months, yearly 1–99 years",
        rationale: """
            These are the service limits of a standard Azure VM backup policy (about 99 years at every \
            tier); Azure rejects a policy outside them. Daily points are kept at least 7 days. The seeds \
            give no retention limits.
            """,
        source: "Azure Backup service limits; Terraform azurerm backup_policy_vm (retention_daily.count 7–9999)",
        triggering: [
            Example.vaultWithPolicy(
                "daily-6", Example.dailySchedule, "retention: {daily: ↓6}"),
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule,
                "retention: {daily: 30, yearly: {years: ↓100, months: [January], daysOfMonth: [1]}}")
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-7", Example.dailySchedule, "retention: {daily: 7}"),
            Example.vaultWithPolicy(
                "daily-9999", Example.dailySchedule,
                "retention: {daily: 9999, weekly: {weeks: 5163, days: [Sunday]}}")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            guard let retention = policy.retention else { continue }
            check(retention.daily, "daily retention", 7...9999, unit: "days", &diagnostics)
            check(retention.weekly?.weeks, "weekly retention", 1...5163, unit: "weeks", &diagnostics)
            check(retention.monthly?.count, "monthly retention", 1...1188, unit: "months", &diagnostics)
            check(retention.yearly?.count, "yearly retention", 1...99, unit: "years", &diagnostics)
        }
    }

    private static func check(
        _ count: Located<Int>?, _ what: String, _ allowed: ClosedRange<Int>, unit: String,
        _ diagnostics: inout [Diagnostic]
    ) {
        guard let count, !allowed.contains(count.value) else { return }
        diagnostics.append(
            diagnostic(
                "\(what) of \(count.value) \(unit) is outside \(allowed.lowerBound)–\(allowed.upperBound) \(unit)",
                at: count.range, help: "keep \(allowed.lowerBound) to \(allowed.upperBound) \(unit)"))
    }
}
