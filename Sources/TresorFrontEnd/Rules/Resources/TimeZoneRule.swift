import TresorModel
import TresorSupport

/// TR207: a policy's time zone is a Windows time zone ID.
enum TimeZoneRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR207", severity: .error,
        title: "unknown Windows time zone ID",
        rationale: """
            Backup policies take their time zone as a Windows time zone ID ("W. Europe Standard Time", \
            "UTC"), spelled exactly; IANA names such as "Europe/Berlin" are not accepted. The default is UTC.
            """,
        source: "REST SimpleSchedulePolicy / AzureIaaSVMProtectionPolicy.timeZone; Unicode CLDR windowsZones.xml",
        triggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: ↓Europe/Berlin}"#,
                "retention: {daily: 30}"),
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: ↓india standard time}"#,
                "retention: {daily: 30}")
        ],
        nonTriggering: [
            Example.vaultWithPolicy(
                "daily-30", #"schedule: {frequency: Daily, time: "19:00", timeZone: India Standard Time}"#,
                "retention: {daily: 30}")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        for policy in context.estate.policies {
            guard let zone = policy.schedule.timeZone, WindowsTimeZones.zone(withID: zone.value) == nil else { continue }
            let meant =
                WindowsTimeZones.nearestIDs(to: zone.value)
                ?? Suggestion.nearest(to: zone.value, in: WindowsTimeZones.all.map(\.id))
            diagnostics.append(
                diagnostic(
                    "\"\(zone.value)\" is not a Windows time zone ID", at: zone.range,
                    help: meant.map { "did you mean \"\($0)\"?" }
                        ?? "use a Windows time zone ID as `tzutil /l` lists them, e.g. \"UTC\" or \"W. Europe Standard Time\""))
        }
    }
}
