import TresorModel

/// TR203: how long instant-restore snapshots are kept.
enum InstantRestoreRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR203", severity: .error,
        title: "instantRestoreDays: Daily 1–5; Weekly exactly 5",
        rationale: """
            Instant-restore snapshots stay next to the disks for up to five days (default two) for fast \
            restores. A Weekly schedule always keeps them five days. Azure rejects other values.
            """,
        source: #"seed 000 ("up to five days … the default is two days"); az backup policy (instantRpRetentionRangeInDays)"#,
        triggering: [
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "instantRestoreDays: ↓6",
                "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "weekly-12", Example.weeklySchedule, "instantRestoreDays: ↓2",
                Example.weeklyRetention)
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "instantRestoreDays: 5",
                "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "weekly-12", Example.weeklySchedule, "instantRestoreDays: 5",
                Example.weeklyRetention)
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            guard let days = policy.instantRestoreDays else { continue }
            switch policy.schedule.frequency.value {
            case .Daily where !(1...5).contains(days.value):
                diagnostics.append(
                    diagnostic(
                        "instantRestoreDays is \(days.value); a Daily schedule keeps snapshots 1–5 days",
                        at: days.range, help: "use 1 to 5 (the default is 2)"))
            case .Weekly where days.value != 5:
                diagnostics.append(
                    diagnostic(
                        "instantRestoreDays is \(days.value); a Weekly schedule keeps snapshots exactly 5 days",
                        at: days.range,
                        notes: [DiagnosticNote("the schedule is Weekly here", at: policy.schedule.frequency.range)],
                        help: "set `instantRestoreDays: 5`, or leave it out"))
            default:
                break
            }
        }
    }
}
