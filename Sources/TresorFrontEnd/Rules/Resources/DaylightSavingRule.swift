import TresorModel

/// TR208: a warning for schedules in zones whose clocks change.
enum DaylightSavingRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR208", severity: .warning,
        title: "time zone observes daylight saving: Azure Backup does not adjust for DST",
        rationale: """
            Azure Backup does not move a VM backup's schedule when daylight saving starts or ends, so in \
            such a zone the backup window shifts by an hour against local time twice a year. Adjust the \
            policy by hand at each change, or schedule in a zone without DST such as UTC (the default).
            """,
        source:
            #"seeds 000, 001 ("Azure Backup does not support automatic clock adjustment for daylight saving time for Azure VM backups")"#,
        triggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: ↓W. Europe Standard Time}"#,
                "retention: {daily: 30}")
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: UTC}"#, "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: Singapore Standard Time}"#,
                "retention: {daily: 30}")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            // An unknown zone is TR207's; its DST cannot be known.
            guard let zone = policy.schedule.timeZone, let known = WindowsTimeZones.zone(withID: zone.value),
                known.observesDaylightSaving
            else { continue }
            diagnostics.append(
                diagnostic(
                    "\"\(zone.value)\" observes daylight saving time; Azure Backup does not adjust the \(policy.schedule.time.value) backup for it",
                    at: zone.range,
                    help: "use `timeZone: UTC` or another zone without DST, or adjust the policy at each clock change"))
        }
    }
}
