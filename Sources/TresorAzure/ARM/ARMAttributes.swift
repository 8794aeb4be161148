import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// Resources as Azure returns them (GET bodies), in state's shape: the attribute keys of
/// TresorCore's `DesiredState`, values in tresor's canonical form. Azure's spelling of IDs and
/// names (`/Subscriptions/`, lower-cased resource groups, `iaasvmcontainer;`) and of enums never
/// makes a difference: where Azure's value equals the planned one ignoring case, the planned
/// spelling is kept, and objects keep the planned member order. `planned` is the change's
/// `after` (nil when there is none, as on refresh).
public enum ARMAttributes {
    public static func vault(_ resource: JSON, planned: JSON?) -> JSON {
        let properties = resource["properties"]
        let redundancy = properties?["redundancySettings"]
        let replication: String
        // Enum values are compared ignoring case, as Azure compares them.
        let redundancyText = redundancy?["standardTierStorageRedundancy"]?.stringValue
        switch redundancyText?.asciiFolded {
        case "locallyredundant"?: replication = Replication.LRS.rawValue
        case "georedundant"?, nil: replication = Replication.GRS.rawValue
        case _?: replication = redundancyText ?? ""
        }
        let location = (resource["location"]?.stringValue ?? "").asciiFolded.filter { $0 != " " }
        let attributes: JSON = .object([
            ("region", .string(location)),
            ("replication", .string(replication)),
            ("crossRegionRestore", .bool(redundancy?["crossRegionRestore"]?.stringValue?.asciiFolded == "enabled")),
            ("tags", .object(resource["tags"]?.objectMembers?.sorted { $0.0 < $1.0 } ?? []))
        ])
        return ordered(attributes, like: planned)
    }

    public static func policy(_ resource: JSON, planned: JSON?) -> JSON {
        let properties = resource["properties"] ?? .object([])
        let schedulePolicy = properties["schedulePolicy"]
        let frequency = schedulePolicy?["scheduleRunFrequency"] ?? .null
        var schedule: [(String, JSON)] = [
            ("frequency", frequency),
            ("time", .string(timeOfDay(schedulePolicy?["scheduleRunTimes"])))
        ]
        if frequency.stringValue?.asciiFolded == "weekly" {
            schedule.append(("days", schedulePolicy?["scheduleRunDays"] ?? .array([])))
        }
        let timeZone = properties["timeZone"]?.stringValue
        schedule.append(("timeZone", .string(same(timeZone ?? "UTC", as: planned?["schedule"]?["timeZone"]))))

        let retentionPolicy = properties["retentionPolicy"]
        var retention: [(String, JSON)] = []
        if let daily = retentionPolicy?["dailySchedule"] {
            retention.append(("daily", count(daily)))
        }
        if let weekly = retentionPolicy?["weeklySchedule"] {
            retention.append(("weekly", .object([("weeks", count(weekly)), ("days", weekly["daysOfTheWeek"] ?? .array([]))])))
        }
        if let monthly = retentionPolicy?["monthlySchedule"] {
            retention.append(("monthly", .object([("months", count(monthly))] + longTermFormat(monthly))))
        }
        if let yearly = retentionPolicy?["yearlySchedule"] {
            retention.append(
                (
                    "yearly",
                    .object(
                        [("years", count(yearly)), ("months", yearly["monthsOfYear"] ?? .array([]))]
                            + longTermFormat(yearly))
                ))
        }
        let attributes: JSON = .object([
            ("schedule", .object(schedule)),
            ("instantRestoreDays", properties["instantRpRetentionRangeInDays"] ?? .null),
            ("retention", .object(retention))
        ])
        return ordered(attributes, like: planned)
    }

    /// A protected item. IRPending (first backup not yet taken) and ProtectionPaused are
    /// transient states of a protected item, reported as Protected; the two states tresor knows
    /// are spelled as it does, whatever Azure's case. Others (BackupsSuspended) stay as Azure says.
    public static func protectedItem(_ resource: JSON, planned: JSON?) -> JSON {
        let properties = resource["properties"] ?? .object([])
        let vm = properties["sourceResourceId"]?.stringValue ?? properties["virtualMachineId"]?.stringValue ?? ""
        let policyName = ARMPaths.name(in: properties["policyId"]?.stringValue ?? "")
        var state = properties["protectionState"]?.stringValue ?? ""
        switch state.asciiFolded {
        case "protected", "irpending", "protectionpaused": state = ProtectionState.protected.rawValue
        case "protectionstopped": state = ProtectionState.stopped.rawValue
        default: break
        }
        let attributes: JSON = .object([
            (ProtectedItemAttribute.vm, .string(sameID(vm, as: planned?[ProtectedItemAttribute.vm]))),
            (ProtectedItemAttribute.policy, .string(same(policyName, as: planned?[ProtectedItemAttribute.policy]))),
            (ProtectedItemAttribute.protectionState, .string(state))
        ])
        return ordered(attributes, like: planned)
    }

    public static func securityRule(_ resource: JSON, planned: JSON?) -> JSON {
        let properties = resource["properties"] ?? .object([])
        func values(_ singular: String, _ plural: String) -> JSON {
            if let list = properties[plural]?.arrayValue, !list.isEmpty { return .array(list) }
            return .array(properties[singular].map { [$0] } ?? [])
        }
        var members: [(String, JSON)] = [
            ("direction", properties["direction"] ?? .null),
            ("access", properties["access"] ?? .null),
            ("priority", properties["priority"] ?? .null),
            ("protocol", .string(same(properties["protocol"]?.stringValue ?? "", as: planned?["protocol"]))),
            ("source", values("sourceAddressPrefix", "sourceAddressPrefixes")),
            ("sourcePorts", values("sourcePortRange", "sourcePortRanges")),
            ("destination", values("destinationAddressPrefix", "destinationAddressPrefixes")),
            ("destinationPorts", values("destinationPortRange", "destinationPortRanges"))
        ]
        if let description = properties["description"], description.stringValue?.isEmpty == false {
            members.append(("description", description))
        }
        return ordered(.object(members), like: planned)
    }

    // MARK: Helpers

    /// `HH:MM` of the first time in a list of ISO date-times ("2018-01-24T19:00:00Z").
    private static func timeOfDay(_ times: JSON?) -> String {
        guard let text = times?.arrayValue?.first?.stringValue, let t = text.firstIndex(of: "T") else { return "" }
        return String(text[text.index(after: t)...].prefix(5))
    }

    private static func count(_ schedule: JSON) -> JSON {
        schedule["retentionDuration"]?["count"] ?? .null
    }

    private static func longTermFormat(_ schedule: JSON) -> [(String, JSON)] {
        if schedule["retentionScheduleFormatType"]?.stringValue?.asciiFolded == "daily" {
            let days = schedule["retentionScheduleDaily"]?["daysOfTheMonth"]?.arrayValue ?? []
            return [
                (
                    "daysOfMonth",
                    .array(
                        days.map { day in
                            day["isLast"]?.boolValue == true ? "Last" : .string(String(day["date"]?.intValue ?? 0))
                        })
                )
            ]
        }
        let weekly = schedule["retentionScheduleWeekly"]
        return [
            ("week", weekly?["weeksOfTheMonth"]?.arrayValue?.first ?? .null),
            ("days", weekly?["daysOfTheWeek"] ?? .array([]))
        ]
    }

    /// `value`, or the planned spelling when they differ only in case.
    private static func same(_ value: String, as planned: JSON?) -> String {
        guard let planned = planned?.stringValue, planned.asciiFolded == value.asciiFolded else { return value }
        return planned
    }

    /// An ID: the planned spelling when the two compare equal as IDs.
    private static func sameID(_ value: String, as planned: JSON?) -> String {
        guard let planned = planned?.stringValue, ResourceID.key(planned) == ResourceID.key(value) else { return value }
        return planned
    }

    /// `value` with its objects' members in `template`'s order (members `template` lacks last).
    static func ordered(_ value: JSON, like template: JSON?) -> JSON {
        guard case .object(let members) = value, let order = template?.objectMembers else { return value }
        var remaining = members
        var result: [(String, JSON)] = []
        for (key, templateValue) in order {
            guard let index = remaining.firstIndex(where: { $0.0 == key }) else { continue }
            result.append((key, ordered(remaining[index].1, like: templateValue)))
            remaining.remove(at: index)
        }
        return .object(result + remaining)
    }
}

extension String {
    /// Lower-cased for comparing names and enums as Azure does.
    var asciiFolded: String { ResourceID.key(self) }
}
