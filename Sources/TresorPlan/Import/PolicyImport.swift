import TresorFrontEnd
import TresorModel
import TresorSupport

/// An Azure VM backup policy (ProtectionPolicyResource, `AzureIaasVM`) as a BackupPolicy
/// document's schedule, instant restore and retention, or the first thing about it that the
/// model cannot express: another workload, an Enhanced (V2) policy, an hourly schedule, more
/// than one backup time, tiering, a custom snapshot resource group, several weeks of a month.
enum PolicyImport {
    struct Problem: Error {
        var reason: String
        var range: SourceRange?
    }

    static func document(_ policy: AzureExport.Policy) -> Result<[String], Problem> {
        do throws(Problem) {
            return .success(try lines(policy.properties))
        } catch {
            return .failure(error)
        }
    }

    private static func lines(_ properties: YAMLNode?) throws(Problem) -> [String] {
        guard let properties else { throw Problem(reason: "it has no properties") }
        let management = properties.member("backupManagementType")?.scalar ?? ""
        guard ResourceID.key(management) == "azureiaasvm" else {
            throw Problem(
                reason: "a \(management.isEmpty ? "non-VM" : management) policy: tresor manages Azure VM backup only",
                range: properties.member("backupManagementType")?.range)
        }
        if let type = properties.member("policyType"), ResourceID.key(type.scalar ?? "") != "v1" {
            throw Problem(reason: "an Enhanced policy (policyType \(type.scalar ?? "?")), which the model lacks", range: type.range)
        }
        guard let schedule = properties.member("schedulePolicy") else { throw Problem(reason: "it has no schedulePolicy") }
        let scheduleType = schedule.member("schedulePolicyType")?.scalar ?? "SimpleSchedulePolicy"
        guard ResourceID.key(scheduleType) == "simpleschedulepolicy" else {
            throw Problem(reason: "schedule type \(scheduleType) (Enhanced), which the model lacks", range: schedule.range)
        }
        let frequencyText = schedule.member("scheduleRunFrequency")?.scalar ?? ""
        guard let frequency = ScheduleFrequency(manifestText: frequencyText) else {
            throw Problem(
                reason: "a \(frequencyText) schedule: the model has Daily and Weekly", range: schedule.member("scheduleRunFrequency")?.range
            )
        }
        let times = elements(schedule.member("scheduleRunTimes"))
        guard times.count == 1, let time = timeOfDay(times[0].scalar ?? "") else {
            throw Problem(reason: "\(times.count) backup times a day: the model has one", range: schedule.member("scheduleRunTimes")?.range)
        }
        if let tiering = properties.member("tieringPolicy"), case .mapping(let tiers) = tiering.content {
            for tier in tiers where ResourceID.key(tier.value.member("tieringMode")?.scalar ?? "donottier") != "donottier" {
                throw Problem(
                    reason: "tiering to the archive tier (\(tier.key.scalar ?? "")), which the model lacks", range: tier.value.range)
            }
        }
        let instantDetails = properties.member("instantRpDetails") ?? properties.member("instantRPDetails")
        if let prefix = (instantDetails?.member("azureBackupRgNamePrefix") ?? instantDetails?.member("azureBackupRGNamePrefix"))?.scalar,
            !prefix.isEmpty
        {
            throw Problem(
                reason: "a custom resource group for instant restore snapshots, which the model lacks", range: instantDetails?.range)
        }
        var lines = ["schedule:", "  frequency: \(frequency.rawValue)", "  time: \(YAMLText.scalar(time))"]
        if frequency == .Weekly {
            lines.append("  days: \(try weekdays(schedule.member("scheduleRunDays")))")
        }
        lines.append("  timeZone: \(YAMLText.scalar(properties.member("timeZone")?.scalar ?? "UTC"))")
        if let days = properties.member("instantRpRetentionRangeInDays")?.scalar {
            lines.append("instantRestoreDays: \(days)")
        }
        lines += try retention(properties.member("retentionPolicy"))
        return lines
    }

    private static func retention(_ policy: YAMLNode?) throws(Problem) -> [String] {
        guard let policy else { return [] }
        let type = policy.member("retentionPolicyType")?.scalar ?? "LongTermRetentionPolicy"
        guard ResourceID.key(type) == "longtermretentionpolicy" else {
            throw Problem(reason: "retention type \(type), which the model lacks", range: policy.range)
        }
        var lines = ["retention:"]
        if let daily = policy.member("dailySchedule") {
            lines.append("  daily: \(try count(daily))")
        }
        if let weekly = policy.member("weeklySchedule") {
            lines.append("  weekly: {weeks: \(try count(weekly)), days: \(try weekdays(weekly.member("daysOfTheWeek")))}")
        }
        if let monthly = policy.member("monthlySchedule") {
            lines.append("  monthly: {months: \(try count(monthly)), \(try dayChoice(monthly))}")
        }
        if let yearly = policy.member("yearlySchedule") {
            let months = try names(yearly.member("monthsOfYear"), as: Month.self, what: "month")
            lines.append("  yearly: {years: \(try count(yearly)), months: \(months), \(try dayChoice(yearly))}")
        }
        return lines.count > 1 ? lines : []
    }

    /// Monthly and yearly points: on days of the month, or on weekdays of one week of the month.
    private static func dayChoice(_ schedule: YAMLNode) throws(Problem) -> String {
        if ResourceID.key(schedule.member("retentionScheduleFormatType")?.scalar ?? "") == "daily" {
            var days: [String] = []
            for day in elements(schedule.member("retentionScheduleDaily")?.member("daysOfTheMonth")) {
                if day.member("isLast")?.scalar?.lowercased() == "true" {
                    days.append(DayOfMonth.last.description)
                } else if let date = day.member("date")?.scalar, let value = DayOfMonth(manifestText: date) {
                    days.append(value.description)
                } else {
                    throw Problem(reason: "a day of the month the model lacks (1-28 or Last)", range: day.range)
                }
            }
            return "daysOfMonth: [\(days.joined(separator: ", "))]"
        }
        let weekly = schedule.member("retentionScheduleWeekly")
        let weeks = elements(weekly?.member("weeksOfTheMonth"))
        guard weeks.count == 1, let week = WeekOfMonth(manifestText: weeks[0].scalar ?? "") else {
            throw Problem(reason: "\(weeks.count) weeks of the month: the model has one", range: weekly?.range ?? schedule.range)
        }
        return "week: \(week.rawValue), days: \(try weekdays(weekly?.member("daysOfTheWeek")))"
    }

    private static func count(_ schedule: YAMLNode) throws(Problem) -> Int {
        guard let text = schedule.member("retentionDuration")?.member("count")?.scalar, let count = Int(text) else {
            throw Problem(reason: "a retention without a count", range: schedule.range)
        }
        return count
    }

    private static func weekdays(_ node: YAMLNode?) throws(Problem) -> String {
        try names(node, as: Weekday.self, what: "day")
    }

    private static func names<E: ManifestEnum>(_ node: YAMLNode?, as: E.Type, what: String) throws(Problem) -> String {
        var names: [String] = []
        for element in elements(node) {
            guard let value = E(manifestText: element.scalar ?? "") else {
                throw Problem(reason: "\(what) \"\(element.scalar ?? "")\" has no manifest form", range: element.range)
            }
            names.append(value.rawValue)
        }
        return "[\(names.joined(separator: ", "))]"
    }

    /// "HH:MM" of an ISO date-time ("2018-01-24T02:00:00Z", "2021-03-01T02:00:00+00:00").
    static func timeOfDay(_ text: String) -> String? {
        guard let t = text.firstIndex(of: "T") else { return nil }
        let time = text[text.index(after: t)...].prefix(5)
        return time.count == 5 && time.dropFirst(2).first == ":" ? String(time) : nil
    }

    private static func elements(_ node: YAMLNode?) -> [YAMLNode] {
        guard let node, case .sequence(let items) = node.content else { return [] }
        return items
    }
}
