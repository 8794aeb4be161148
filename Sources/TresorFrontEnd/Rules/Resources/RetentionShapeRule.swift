import TresorModel

/// TR205: which retention tiers a policy has, and how monthly and yearly points pick their day.
enum RetentionShapeRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR205", severity: .error,
        title: """
            retention shape: Daily schedule needs `retention.daily`; Weekly forbids it and needs `retention.weekly`; \
            monthly/yearly take `week`+`days` or `daysOfMonth`, not both; yearly needs `months`
            """,
        rationale: """
            A Daily schedule keeps daily points and a Weekly one keeps weekly points, so each needs its own \
            tier and a Weekly schedule has no daily points to keep. Monthly and yearly points are chosen \
            either by weekday ("First Sunday": `week` and `days`) or by day of the month (`daysOfMonth`, \
            1–28 or Last), never both; yearly points also name their `months`.
            """,
        source:
            "Terraform azurerm backup_policy_vm (retention_daily, retention_weekly, retention_monthly, retention_yearly); REST RetentionPolicy (retentionScheduleFormatType)",
        triggering: [
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "retention: ↓{weekly: {weeks: 12, days: [Sunday]}}"),
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "retention:", "  daily: 30",
                "  monthly: {months: 12, week: First, days: [Sunday], daysOfMonth: ↓[1]}"),
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "retention:", "  daily: 30",
                "  yearly: ↓{years: 7, daysOfMonth: [1]}")
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-30", Example.dailySchedule, "retention:", "  daily: 30",
                "  monthly: {months: 12, week: First, days: [Sunday]}",
                "  yearly: {years: 7, months: [January], daysOfMonth: [1]}"),
            Example.vaultWithPolicy(
                "weekly-12", Example.weeklySchedule,
                Example.weeklyRetention)
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            let frequency = policy.schedule.frequency
            let retention = policy.retention
            // Where a missing tier is reported: the retention mapping, or the schedule that asks for it.
            let missingTierPlace = retention?.range ?? frequency.range
            switch frequency.value {
            case .Daily where retention?.daily == nil:
                diagnostics.append(
                    diagnostic(
                        "a Daily schedule needs `retention.daily`, the days to keep each daily point",
                        at: missingTierPlace, help: "add `daily: 30` (7–9999 days) under `retention:`"))
            case .Weekly:
                if let daily = retention?.daily {
                    diagnostics.append(
                        diagnostic(
                            "a Weekly schedule keeps no daily points, so it takes no `retention.daily`",
                            at: daily.range,
                            notes: [DiagnosticNote("the schedule is Weekly here", at: frequency.range)],
                            help: "remove `daily:`; a Weekly schedule keeps its points with `retention.weekly`"))
                }
                if retention?.weekly == nil {
                    diagnostics.append(
                        diagnostic(
                            "a Weekly schedule needs `retention.weekly`, the weeks to keep each weekly point",
                            at: missingTierPlace,
                            help: "add `weekly: {weeks: 12, days: [...]}` with the scheduled days under `retention:`"))
                }
            default:
                break
            }
            if let days = retention?.weekly?.days, days.value.isEmpty {
                diagnostics.append(
                    diagnostic(
                        "`retention.weekly.days` needs at least one day", at: days.range,
                        help: "list the weekdays whose points are kept, e.g. `days: [Sunday]`"))
            }
            if let monthly = retention?.monthly { checkDayChoice(monthly, "retention.monthly", &diagnostics) }
            if let yearly = retention?.yearly {
                checkDayChoice(yearly, "retention.yearly", &diagnostics)
                if yearly.months?.value.isEmpty ?? true {
                    diagnostics.append(
                        diagnostic(
                            "`retention.yearly` needs `months`, the months whose points are kept",
                            at: yearly.months?.range ?? yearly.range, help: "add e.g. `months: [January]`"))
                }
            }
        }
    }

    /// Monthly and yearly points are picked by `week` + `days` or by `daysOfMonth`: exactly one way.
    private static func checkDayChoice(_ tier: LongTermRetention, _ what: String, _ diagnostics: inout [Diagnostic]) {
        let byWeekday = tier.week != nil || tier.days != nil
        if byWeekday, let daysOfMonth = tier.daysOfMonth {
            let weekday = tier.week?.range ?? tier.days?.range
            diagnostics.append(
                diagnostic(
                    "`\(what)` picks its days by weekday and by `daysOfMonth`; use one of the two",
                    at: daysOfMonth.range, notes: weekday.map { [DiagnosticNote("the weekday choice is here", at: $0)] } ?? [],
                    help: "keep either `week` and `days`, or `daysOfMonth`"))
            return
        }
        if !byWeekday && tier.daysOfMonth == nil {
            diagnostics.append(
                diagnostic(
                    "`\(what)` needs `week` and `days`, or `daysOfMonth`, to pick its points",
                    at: tier.range, help: "add e.g. `week: First, days: [Sunday]` or `daysOfMonth: [1]`"))
            return
        }
        if let week = tier.week, tier.days == nil {
            diagnostics.append(
                diagnostic(
                    "`\(what).week` needs `days`, the weekdays of that week", at: week.range,
                    help: "add e.g. `days: [Sunday]`"))
        }
        if let days = tier.days, tier.week == nil {
            diagnostics.append(
                diagnostic(
                    "`\(what).days` needs `week`, the week of the month", at: days.range,
                    help: "add e.g. `week: First`"))
        }
        let emptyLists = [
            ("days", tier.days.flatMap { $0.value.isEmpty ? $0.range : nil }),
            ("daysOfMonth", tier.daysOfMonth.flatMap { $0.value.isEmpty ? $0.range : nil })
        ]
        for case (let key, let range?) in emptyLists {
            diagnostics.append(
                diagnostic(
                    "`\(what).\(key)` lists no day", at: range, help: "list at least one day"))
        }
    }
}
