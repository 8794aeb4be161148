import TresorFrontEnd
import TresorModel
import TresorSupport

/// Request bodies of SPEC §6's table, built from a change's attributes (the shapes of
/// TresorCore's `DesiredState`). Each is valid against its operation's schema in the pinned spec
/// and carries no read-only property.
enum ARMBodies {
    // MARK: Vault (Vaults_CreateOrUpdate, Vaults_Update)

    /// PUT body: `location`, `tags`, `sku`, `properties.redundancySettings`. The SKU is
    /// `{"name": "Standard"}` as in the PUT examples (PUTVault.json,
    /// PUTVault_WithRedundancySettings.json); Azure answers `RS0`/`Standard`, the same SKU.
    static func vault(_ attributes: JSON) -> JSON {
        .object([
            ("location", attributes["region"] ?? .null),
            ("tags", attributes["tags"] ?? .object([])),
            ("sku", .object([("name", "Standard")])),
            (
                "properties",
                .object([
                    (
                        "redundancySettings",
                        .object([
                            ("standardTierStorageRedundancy", .string(storageRedundancy(attributes["replication"]))),
                            ("crossRegionRestore", .string(attributes["crossRegionRestore"]?.boolValue == true ? "Enabled" : "Disabled"))
                        ])
                    )
                ])
            )
        ])
    }

    /// PATCH body with only what differs between `current` and `desired` (vault attributes), nil
    /// when nothing does. Tags go as the whole desired map (ARM replaces `tags` as a unit).
    static func vaultPatch(from current: JSON?, to desired: JSON) -> JSON? {
        var members: [(String, JSON)] = []
        if current?["tags"] != desired["tags"] { members.append(("tags", desired["tags"] ?? .object([]))) }
        var redundancy: [(String, JSON)] = []
        if current?["replication"] != desired["replication"] {
            redundancy.append(("standardTierStorageRedundancy", .string(storageRedundancy(desired["replication"]))))
        }
        if current?["crossRegionRestore"] != desired["crossRegionRestore"] {
            redundancy.append(("crossRegionRestore", .string(desired["crossRegionRestore"]?.boolValue == true ? "Enabled" : "Disabled")))
        }
        if !redundancy.isEmpty { members.append(("properties", .object([("redundancySettings", .object(redundancy))]))) }
        return members.isEmpty ? nil : .object(members)
    }

    private static func storageRedundancy(_ replication: JSON?) -> String {
        replication?.stringValue == Replication.LRS.rawValue ? "LocallyRedundant" : "GeoRedundant"
    }

    // MARK: Backup policy (ProtectionPolicies_CreateOrUpdate)

    /// The date put before a policy's time: Azure reads only the time of day from
    /// `scheduleRunTimes`/`retentionTimes`, in the policy's `timeZone`.
    private static let scheduleDate = "2018-01-24"

    /// The whole policy. `existing` is the `properties` of the policy Azure holds (nil when there
    /// is none): what tresor does not model in it (`instantRPDetails`, `tieringPolicy`,
    /// `policyType`, `snapshotConsistencyType`) is kept; the schedule, retention, instant restore
    /// days and time zone are tresor's. The item count Azure reports and any earlier Resource Guard
    /// request are not sent back.
    static func policy(_ attributes: JSON, existing: JSON?) -> JSON {
        let schedule = attributes["schedule"] ?? .object([])
        let time = JSON.string("\(scheduleDate)T\(schedule["time"]?.stringValue ?? "00:00"):00Z")
        var schedulePolicy: [(String, JSON)] = [
            ("schedulePolicyType", "SimpleSchedulePolicy"),
            ("scheduleRunFrequency", schedule["frequency"] ?? "Daily")
        ]
        if let days = schedule["days"] { schedulePolicy.append(("scheduleRunDays", days)) }
        schedulePolicy.append(("scheduleRunTimes", .array([time])))

        let retention = attributes["retention"] ?? .object([])
        var retentionPolicy: [(String, JSON)] = [("retentionPolicyType", "LongTermRetentionPolicy")]
        if let days = retention["daily"] {
            retentionPolicy.append(
                (
                    "dailySchedule",
                    .object([
                        ("retentionTimes", .array([time])),
                        ("retentionDuration", duration(days, "Days"))
                    ])
                ))
        }
        if let weekly = retention["weekly"] {
            retentionPolicy.append(
                (
                    "weeklySchedule",
                    .object([
                        ("daysOfTheWeek", weekly["days"] ?? .array([])),
                        ("retentionTimes", .array([time])),
                        ("retentionDuration", duration(weekly["weeks"], "Weeks"))
                    ])
                ))
        }
        if let monthly = retention["monthly"] {
            retentionPolicy.append(
                (
                    "monthlySchedule",
                    .object(
                        longTermFormat(monthly) + [
                            ("retentionTimes", .array([time])), ("retentionDuration", duration(monthly["months"], "Months"))
                        ])
                ))
        }
        if let yearly = retention["yearly"] {
            var members = longTermFormat(yearly)
            members.insert(("monthsOfYear", yearly["months"] ?? .array([])), at: 1)
            retentionPolicy.append(
                (
                    "yearlySchedule",
                    .object(
                        members + [("retentionTimes", .array([time])), ("retentionDuration", duration(yearly["years"], "Years"))])
                ))
        }

        var properties = existing ?? .object([])
        for dropped in ["protectedItemsCount", "resourceGuardOperationRequests"] { properties = properties.setting(dropped, nil) }
        properties =
            properties
            .setting("backupManagementType", "AzureIaasVM")
            .setting("schedulePolicy", .object(schedulePolicy))
            .setting("retentionPolicy", .object(retentionPolicy))
            .setting("instantRpRetentionRangeInDays", attributes["instantRestoreDays"] ?? .int(2))
            .setting("timeZone", schedule["timeZone"] ?? "UTC")
        return .object([("properties", properties)])
    }

    private static func duration(_ count: JSON?, _ type: String) -> JSON {
        .object([("count", count ?? .int(0)), ("durationType", .string(type))])
    }

    /// Monthly and yearly retention on given weekdays of a week (`week`, `days`) or on days of
    /// the month (`daysOfMonth`, "Last" being `{"date": 0, "isLast": true}`).
    private static func longTermFormat(_ retention: JSON) -> [(String, JSON)] {
        if let daysOfMonth = retention["daysOfMonth"]?.arrayValue {
            let days: [JSON] = daysOfMonth.map { day in
                let text = day.stringValue ?? ""
                return text == "Last"
                    ? .object([("date", .int(0)), ("isLast", .bool(true))])
                    : .object([("date", .int(Int(text) ?? 0)), ("isLast", .bool(false))])
            }
            return [
                ("retentionScheduleFormatType", "Daily"),
                ("retentionScheduleDaily", .object([("daysOfTheMonth", .array(days))]))
            ]
        }
        return [
            ("retentionScheduleFormatType", "Weekly"),
            (
                "retentionScheduleWeekly",
                .object([
                    ("daysOfTheWeek", retention["days"] ?? .array([])),
                    ("weeksOfTheMonth", .array([retention["week"] ?? "First"]))
                ])
            )
        ]
    }

    // MARK: Protected item (ProtectedItems_CreateOrUpdate)

    static let virtualMachineItemType: JSON = "Microsoft.Compute/virtualMachines"

    /// Protect a VM with a policy (ConfigureProtection.json), keeping the disk exclusion Azure
    /// holds for it (`extendedProperties`, the one setting of an item tresor does not model).
    static func protection(vm: String, policyID: String, existing: JSON?) -> JSON {
        var properties: [(String, JSON)] = [
            ("protectedItemType", virtualMachineItemType),
            ("sourceResourceId", .string(vm)),
            ("policyId", .string(policyID))
        ]
        if let extended = existing?["extendedProperties"], extended.objectMembers != nil {
            properties.append(("extendedProperties", extended))
        }
        return .object([("properties", .object(properties))])
    }

    /// Stop protection and retain data (StopProtection.json).
    static func stopProtection(vm: String) -> JSON {
        .object([
            (
                "properties",
                .object([
                    ("protectedItemType", virtualMachineItemType),
                    ("protectionState", "ProtectionStopped"),
                    ("sourceResourceId", .string(vm))
                ])
            )
        ])
    }

    /// Undelete a soft-deleted item; it comes back with protection stopped.
    static func rehydrate() -> JSON {
        .object([
            (
                "properties",
                .object([
                    ("protectedItemType", virtualMachineItemType),
                    ("isRehydrate", .bool(true))
                ])
            )
        ])
    }

    // MARK: Security rule (SecurityRules_CreateOrUpdate)

    /// The rule's properties. Azure takes one value in the singular field
    /// (`sourceAddressPrefix`, `sourcePortRange`, ...) and several in the plural one, never both.
    static func securityRule(_ attributes: JSON) -> JSON {
        func field(_ singular: String, _ plural: String, _ values: JSON?) -> (String, JSON) {
            let values = values?.arrayValue ?? []
            return values.count == 1 ? (singular, values[0]) : (plural, .array(values))
        }
        var properties: [(String, JSON)] = [
            ("protocol", attributes["protocol"] ?? "*"),
            field("sourcePortRange", "sourcePortRanges", attributes["sourcePorts"]),
            field("destinationPortRange", "destinationPortRanges", attributes["destinationPorts"]),
            field("sourceAddressPrefix", "sourceAddressPrefixes", attributes["source"]),
            field("destinationAddressPrefix", "destinationAddressPrefixes", attributes["destination"]),
            ("access", attributes["access"] ?? .null),
            ("priority", attributes["priority"] ?? .null),
            ("direction", attributes["direction"] ?? .null)
        ]
        if let description = attributes["description"] { properties.append(("description", description)) }
        return .object([("properties", .object(properties))])
    }
}
