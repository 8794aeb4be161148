import TresorModel

/// TR202: the shape of a policy's schedule: its time, and days for Weekly schedules only.
enum ScheduleRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR202", severity: .error,
        title: "schedule: Weekly needs `days`, Daily has none; time is HH:MM with minutes 00 or 30",
        rationale: """
            Azure VM backups start on the hour or the half hour, given as 24-hour HH:MM. A Weekly schedule \
            runs on the days it lists, so it needs at least one; a Daily schedule runs every day and takes none.
            """,
        source: "Terraform azurerm backup_policy_vm (backup.time, backup.weekdays); seed 000 (daily or weekly backups)",
        triggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: ↓"19:15"}"#, "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "weekly-12", #"schedule: {frequency: ↓Weekly, time: "23:00"}"#,
                Example.weeklyRetention)
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "23:30"}"#, "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "weekly-12", #"schedule: {frequency: Weekly, time: "00:00", days: [Sunday]}"#,
                Example.weeklyRetention)
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            let schedule = policy.schedule
            if let problem = timeProblem(schedule.time.value) {
                diagnostics.append(
                    diagnostic(
                        "schedule time \"\(schedule.time.value)\" \(problem)", at: schedule.time.range,
                        help: "write the time as \"HH:00\" or \"HH:30\", e.g. \"19:00\" (quoted)"))
            }
            switch (schedule.frequency.value, schedule.days) {
            case (.Weekly, nil):
                diagnostics.append(
                    diagnostic(
                        "a Weekly schedule needs `days`", at: schedule.frequency.range,
                        help: "add the days to back up on, e.g. `days: [Sunday]`"))
            case (.Weekly, let days?) where days.value.isEmpty:
                diagnostics.append(
                    diagnostic(
                        "a Weekly schedule needs at least one day in `days`", at: days.range,
                        help: "list the days to back up on, e.g. `days: [Sunday]`"))
            case (.Daily, let days?):
                diagnostics.append(
                    diagnostic(
                        "a Daily schedule runs every day and takes no `days`", at: days.range,
                        notes: [DiagnosticNote("the schedule is Daily here", at: schedule.frequency.range)],
                        help: "remove `days:`, or make the schedule `frequency: Weekly`"))
            default:
                break
            }
        }
    }

    /// What is wrong with a schedule time, or nil for "HH:00" and "HH:30" with HH 00–23.
    static func timeProblem(_ time: String) -> String? {
        let bytes = Array(time.utf8)
        let isDigit = { (byte: UInt8) in (48...57).contains(byte) }
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"), isDigit(bytes[0]), isDigit(bytes[1]),
            isDigit(bytes[3]), isDigit(bytes[4])
        else { return "is not a 24-hour time HH:MM" }
        let hour = Int(bytes[0] - 48) * 10 + Int(bytes[1] - 48)
        if hour > 23 { return "has hour \(hour); hours are 00–23" }
        let minutes = time.suffix(2)
        if minutes != "00" && minutes != "30" {
            return "has minutes \(minutes); backups start on the hour or the half hour (00 or 30)"
        }
        return nil
    }
}
