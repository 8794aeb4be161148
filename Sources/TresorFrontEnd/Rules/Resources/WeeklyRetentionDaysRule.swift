import TresorModel

/// TR206: a Weekly schedule keeps points only of the days it backs up.
enum WeeklyRetentionDaysRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR206", severity: .error,
        title: "Weekly schedule: every retention `days` entry must be a scheduled day",
        rationale: """
            Retention keeps recovery points that the schedule made. Under a Weekly schedule only the \
            scheduled days have points, so weekly, monthly and yearly retention can keep only those days; \
            Azure rejects the policy otherwise. (Under a Daily schedule every day has a point.)
            """,
        source: "Azure Backup quickstart: weekly backup policy (retention days follow the backup days); REST RetentionPolicy",
        triggering: [
            Example.vaultWithPolicy(
                "weekly-12", #"schedule: {frequency: Weekly, time: "19:00", days: [Saturday]}"#,
                "retention: {weekly: {weeks: 12, days: [↓Sunday]}}")
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "weekly-12", #"schedule: {frequency: Weekly, time: "19:00", days: [Wednesday, Saturday]}"#,
                "retention:", "  weekly: {weeks: 12, days: [Wednesday, Saturday]}",
                "  monthly: {months: 12, week: Last, days: [Saturday]}")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            // Without scheduled days there is nothing to compare with: TR202 reports that.
            guard policy.schedule.frequency.value == .Weekly, let scheduled = policy.schedule.days,
                !scheduled.value.isEmpty, let retention = policy.retention
            else { continue }
            let scheduledDays = Set(scheduled.value.map(\.value))
            let tiers = [
                ("weekly", retention.weekly?.days), ("monthly", retention.monthly?.days),
                ("yearly", retention.yearly?.days)
            ]
            for case (let tier, let days?) in tiers {
                for day in days.value where !scheduledDays.contains(day.value) {
                    diagnostics.append(
                        diagnostic(
                            "\(tier) retention keeps \(day.value.rawValue) points, but the Weekly schedule does not back up on \(day.value.rawValue)",
                            at: day.range,
                            notes: [DiagnosticNote("the scheduled days are here", at: scheduled.range)],
                            help:
                                "keep points of scheduled days only (\(scheduled.value.map(\.value.rawValue).joined(separator: ", "))), or add \(day.value.rawValue) to the schedule"
                        ))
                }
            }
        }
    }
}
