import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// The managed resources the manifests declare, in state's shape, each with the manifest
/// resource it came from (for diagnostics). Entries come in dependency order (vaults, policies,
/// network rules, protected items), and in manifest order within a kind.
struct DesiredState {
    enum Origin: Sendable {
        case vault(Int)
        case policy(Int)
        case networkRule(Int)
        /// A Protection document and the entry of its `vms` list.
        case protectedItem(protection: Int, entry: Int)
    }

    struct Entry: Sendable {
        var resource: StateResource
        var origin: Origin
    }

    var entries: [Entry] = []

    /// The name that declares the resource.
    static func range(of origin: Origin, in estate: Estate) -> SourceRange {
        switch origin {
        case .vault(let index): estate.vaults[index].name.range
        case .policy(let index): estate.policies[index].name.range
        case .networkRule(let index): estate.networkRules[index].rule.name.range
        case .protectedItem(let protection, let entry): estate.protections[protection].vms[entry].range
        }
    }

    init(_ estate: Estate) {
        entries.reserveCapacity(
            estate.vaults.count + estate.policies.count + estate.networkRules.count
                + estate.virtualMachines.count)
        for (index, vault) in estate.vaults.enumerated() {
            entries.append(
                Entry(
                    resource: StateResource(
                        kind: .vault, id: vault.id, name: vault.name.value,
                        attributes: Self.attributes(vault)),
                    origin: .vault(index)))
        }
        for (index, policy) in estate.policies.enumerated() {
            guard let id = estate.policyID(index) else { continue }
            entries.append(
                Entry(
                    resource: StateResource(
                        kind: .backupPolicy, id: id, name: policy.name.value,
                        attributes: Self.attributes(policy)),
                    origin: .policy(index)))
        }
        for (index, rule) in estate.networkRules.enumerated() {
            guard let id = estate.networkRuleID(index) else { continue }
            entries.append(
                Entry(
                    resource: StateResource(
                        kind: .networkRule, id: id, name: rule.rule.name.value,
                        attributes: Self.attributes(rule.rule)),
                    origin: .networkRule(index)))
        }
        // One item per VM a Protection lists, the bulk of an estate: built on both cores.
        let protections = estate.protections
        entries += Parallel.map(count: protections.count, grain: 20) { range in
            var items: [Entry] = []
            for protectionIndex in range {
                items += Self.protectedItems(of: protections[protectionIndex], at: protectionIndex, in: estate)
            }
            return items
        }
    }

    private static func protectedItems(of protection: Protection, at protectionIndex: Int, in estate: Estate) -> [Entry] {
        guard let vaultIndex = protection.vaultIndex else { return [] }
        let policyName: String
        switch protection.policyBinding {
        case .declared(let policy): policyName = estate.policies[policy].name.value
        case .builtinDefault: policyName = BackupPolicy.defaultName
        case .unresolved: return []
        }
        let vaultID = estate.vaults[vaultIndex].id
        var items: [Entry] = []
        items.reserveCapacity(protection.vmIndices.count)
        for (entry, vmIndex) in protection.vmIndices.enumerated() {
            guard let vmIndex else { continue }
            // Fields are read in place: copying a whole VirtualMachine per item costs.
            let vmName = estate.virtualMachines[vmIndex].name.value
            let resourceGroup = estate.virtualMachines[vmIndex].resourceGroup.value
            let vmID = ResourceID.virtualMachine(
                subscription: estate.virtualMachines[vmIndex].subscription.value,
                resourceGroup: resourceGroup, name: vmName)
            let id = ResourceID.protectedItem(vaultID: vaultID, vmResourceGroup: resourceGroup, vmName: vmName)
            let attributes = JSON.object([
                (ProtectedItemAttribute.vm, .string(vmID)),
                (ProtectedItemAttribute.policy, .string(policyName)),
                (ProtectedItemAttribute.protectionState, .string(ProtectionState.protected.rawValue))
            ])
            items.append(
                Entry(
                    resource: StateResource(kind: .protectedItem, id: id, name: vmName, attributes: attributes),
                    origin: .protectedItem(protection: protectionIndex, entry: entry)))
        }
        return items
    }

    /// Attributes carry effective values (defaults filled in, enums in canonical case), so a
    /// manifest that spells out a default plans no change.
    static func attributes(_ vault: Vault) -> JSON {
        .object([
            ("region", .string(vault.region.value.lowercased())),
            ("replication", .string(vault.effectiveReplication.rawValue)),
            ("crossRegionRestore", .bool(vault.crossRegionRestore?.value ?? false)),
            ("tags", .object(vault.tags.map { ($0.key.value, .string($0.value.value)) }))
        ])
    }

    static func attributes(_ policy: BackupPolicy) -> JSON {
        let schedule = policy.schedule
        var scheduleMembers: [(String, JSON)] = [
            ("frequency", .string(schedule.frequency.value.rawValue)),
            ("time", .string(schedule.time.value))
        ]
        if let days = schedule.days { scheduleMembers.append(("days", names(days.value))) }
        scheduleMembers.append(("timeZone", .string(schedule.effectiveTimeZone)))

        var retention: [(String, JSON)] = []
        if let daily = policy.retention?.daily { retention.append(("daily", .int(daily.value))) }
        if let weekly = policy.retention?.weekly {
            retention.append(("weekly", .object([("weeks", .int(weekly.weeks.value)), ("days", names(weekly.days.value))])))
        }
        if let monthly = policy.retention?.monthly { retention.append(("monthly", longTerm(monthly, count: "months"))) }
        if let yearly = policy.retention?.yearly { retention.append(("yearly", longTerm(yearly, count: "years"))) }

        return .object([
            ("schedule", .object(scheduleMembers)),
            ("instantRestoreDays", .int(policy.effectiveInstantRestoreDays)),
            ("retention", .object(retention))
        ])
    }

    private static func longTerm(_ retention: LongTermRetention, count: String) -> JSON {
        var members: [(String, JSON)] = [(count, .int(retention.count.value))]
        if let months = retention.months { members.append(("months", names(months.value))) }
        if let week = retention.week { members.append(("week", .string(week.value.rawValue))) }
        if let days = retention.days { members.append(("days", names(days.value))) }
        if let daysOfMonth = retention.daysOfMonth {
            members.append(("daysOfMonth", .array(daysOfMonth.value.map { .string($0.value.description) })))
        }
        return .object(members)
    }

    private static func names<E: ManifestEnum>(_ values: [Located<E>]) -> JSON {
        .array(values.map { .string($0.value.rawValue) })
    }

    static func attributes(_ rule: SecurityRule) -> JSON {
        func texts(_ values: [Located<String>]) -> JSON { .array(values.map { .string($0.value) }) }
        var members: [(String, JSON)] = [
            ("direction", .string(rule.direction.value.rawValue)),
            ("access", .string(rule.access.value.rawValue)),
            ("priority", .int(rule.priority.value)),
            ("protocol", .string(rule.protocol.value)),
            ("source", texts(rule.sources)),
            ("sourcePorts", texts(rule.sourcePorts)),
            ("destination", texts(rule.destinations)),
            ("destinationPorts", texts(rule.destinationPorts))
        ]
        if let description = rule.description { members.append(("description", .string(description.value))) }
        return .object(members)
    }
}
