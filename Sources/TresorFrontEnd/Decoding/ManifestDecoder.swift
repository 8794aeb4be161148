import TresorModel
import TresorSupport

/// Turns one document's node tree into a typed resource (TR004–TR008), reporting every problem
/// it finds rather than stopping at the first.
struct ManifestDecoder {
    static let apiVersion = "tresor/v1"
    private static let header = ["apiVersion", "kind"]
    private static let apiVersionKey = Array("apiVersion".utf8)
    private static let kindKey = Array("kind".utf8)

    var reader = FieldReader()

    mutating func decode(_ root: YAMLNode) -> Resource? {
        guard root.isMapping else {
            reader.diagnostics.append(
                ValueTypeRule.diagnostic(
                    "a manifest document must be a mapping, not \(root.kindDescription)", at: root.range,
                    help: "start the document with `apiVersion: \(Self.apiVersion)` and `kind:`"))
            return nil
        }
        let documentStart = SourceRange(
            file: root.range.file, line: Int(root.range.line), column: Int(root.range.column),
            endLine: Int(root.range.line), endColumn: Int(root.range.column) + 1)
        let apiVersion = root.pair(forKey: Self.apiVersionKey)
        let kindPair = root.pair(forKey: Self.kindKey)

        if let apiVersion {
            if apiVersion.value.scalar != Self.apiVersion {
                reader.diagnostics.append(
                    DocumentHeaderRule.diagnostic(
                        "apiVersion must be \(Self.apiVersion), not \(describe(apiVersion.value))",
                        at: apiVersion.value.range, help: "write `apiVersion: \(Self.apiVersion)`"))
            }
        } else {
            reader.diagnostics.append(
                DocumentHeaderRule.diagnostic(
                    "document has no apiVersion", at: documentStart,
                    help: "add `apiVersion: \(Self.apiVersion)`"))
        }
        guard let kindPair else {
            reader.diagnostics.append(
                DocumentHeaderRule.diagnostic(
                    "document has no kind", at: documentStart,
                    help: "add `kind:` with one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        guard let kindText = kindPair.value.scalar, let kind = ResourceKind(rawValue: kindText) else {
            let names = ResourceKind.allCases.map(\.rawValue)
            let suggestion = kindPair.value.scalar.flatMap { Suggestion.nearest(to: $0, in: names) }
            reader.diagnostics.append(
                DocumentHeaderRule.diagnostic(
                    "unknown kind \(describe(kindPair.value))", at: kindPair.value.range,
                    help: suggestion.map { "did you mean \"\($0)\"?" } ?? "kind is one of \(names.joined(separator: ", "))"))
            return nil
        }
        let owner = kindPair.value.range
        // Each decoded value moves into its case (`Optional.map` would copy it).
        switch kind {
        case .vault: if let vault = vault(root, owner: owner) { return .vault(vault) }
        case .backupPolicy: if let policy = backupPolicy(root, owner: owner) { return .backupPolicy(policy) }
        case .protection: if let protection = protection(root, owner: owner) { return .protection(protection) }
        case .networkRule: if let rule = networkRule(root, owner: owner) { return .networkRule(rule) }
        case .virtualMachine: if let vm = virtualMachine(root, owner: owner) { return .virtualMachine(vm) }
        case .networkSecurityGroup: if let nsg = networkSecurityGroup(root, owner: owner) { return .networkSecurityGroup(nsg) }
        }
        return nil
    }

    private func describe(_ node: YAMLNode) -> String {
        node.scalar.map { "\"\($0)\"" } ?? node.kindDescription
    }

    // MARK: Vault

    static let vaultFields = FieldSet(
        header + ["name", "subscription", "resourceGroup", "region", "replication", "crossRegionRestore", "tags"])

    private mutating func vault(_ root: YAMLNode, owner: SourceRange) -> Vault? {
        guard let f = reader.fields(of: root, what: "Vault", owner: owner, allowed: Self.vaultFields) else { return nil }
        let name = reader.string(f, "name", required: true)
        let subscription = reader.subscription(f, required: true)
        let resourceGroup = reader.resourceGroup(f)
        let region = reader.string(f, "region", required: true)
        let replication = reader.enumeration(f, "replication", as: Replication.self)
        let crossRegionRestore = reader.boolean(f, "crossRegionRestore")
        let tags = self.tags(f)
        guard let name, let subscription, let resourceGroup, let region else { return nil }
        return Vault(
            document: root.range, name: name, subscription: subscription, resourceGroup: resourceGroup,
            region: region, replication: replication, crossRegionRestore: crossRegionRestore, tags: tags)
    }

    private mutating func tags(_ f: Fields) -> [(key: Located<String>, value: Located<String>)] {
        guard let node = reader.value(f, "tags", required: false) else { return [] }
        guard case .mapping(let pairs) = node.content else {
            reader.diagnostics.append(ValueTypeRule.diagnostic("tags must be a mapping, not \(node.kindDescription)", at: node.range))
            return []
        }
        return pairs.compactMap { pair in
            guard let key = reader.scalar(pair.key, what: "a tag name"),
                let value = reader.scalar(pair.value, what: "tag \"\(key.value)\"")
            else { return nil }
            return (key, value)
        }
    }

    // MARK: BackupPolicy

    static let policyFields = FieldSet(header + ["name", "vault", "subscription", "schedule", "instantRestoreDays", "retention"])
    static let scheduleFields = FieldSet(["frequency", "time", "days", "timeZone"])
    static let retentionFields = FieldSet(["daily", "weekly", "monthly", "yearly"])
    static let weeklyFields = FieldSet(["weeks", "days"])
    static let monthlyFields = FieldSet(["months", "week", "days", "daysOfMonth"])
    static let yearlyFields = FieldSet(["years", "months", "week", "days", "daysOfMonth"])

    private mutating func backupPolicy(_ root: YAMLNode, owner: SourceRange) -> BackupPolicy? {
        guard let f = reader.fields(of: root, what: "BackupPolicy", owner: owner, allowed: Self.policyFields) else { return nil }
        let name = reader.string(f, "name", required: true)
        let vault = reader.string(f, "vault", required: true)
        let subscription = reader.subscription(f, required: false)
        var schedule: Schedule?
        if let fields = reader.object(f, "schedule", allowed: Self.scheduleFields, required: true) {
            schedule = self.schedule(fields)
        }
        let instantRestoreDays = reader.integer(f, "instantRestoreDays")
        var retention: Retention?
        if let fields = reader.object(f, "retention", allowed: Self.retentionFields) {
            retention = self.retention(fields)
        }
        guard let name, let vault, let schedule else { return nil }
        return BackupPolicy(
            document: root.range, name: name, vault: vault, subscription: subscription,
            schedule: schedule, instantRestoreDays: instantRestoreDays, retention: retention)
    }

    private mutating func schedule(_ f: Fields) -> Schedule? {
        let frequency = reader.enumeration(f, "frequency", as: ScheduleFrequency.self, required: true)
        let time = reader.string(f, "time", required: true)
        let days = reader.enumList(f, "days", as: Weekday.self)
        let timeZone = reader.string(f, "timeZone")
        guard let frequency, let time else { return nil }
        return Schedule(range: f.node.range, frequency: frequency, time: time, days: days, timeZone: timeZone)
    }

    private mutating func retention(_ f: Fields) -> Retention {
        let daily = reader.integer(f, "daily")
        let weekly = reader.object(f, "weekly", allowed: Self.weeklyFields).flatMap { w -> WeeklyRetention? in
            let weeks = reader.integer(w, "weeks", required: true)
            let days = reader.enumList(w, "days", as: Weekday.self, required: true)
            guard let weeks, let days else { return nil }
            return WeeklyRetention(range: w.node.range, weeks: weeks, days: days)
        }
        let monthly = reader.object(f, "monthly", allowed: Self.monthlyFields).flatMap { longTerm($0, count: "months") }
        let yearly = reader.object(f, "yearly", allowed: Self.yearlyFields).flatMap { longTerm($0, count: "years") }
        return Retention(range: f.node.range, daily: daily, weekly: weekly, monthly: monthly, yearly: yearly)
    }

    private mutating func longTerm(_ f: Fields, count countKey: String) -> LongTermRetention? {
        let count = reader.integer(f, countKey, required: true)
        let months = countKey == "years" ? reader.enumList(f, "months", as: Month.self) : nil
        let week = reader.enumeration(f, "week", as: WeekOfMonth.self)
        let days = reader.enumList(f, "days", as: Weekday.self)
        let daysOfMonth = reader.list(f, "daysOfMonth") { reader, item -> Located<DayOfMonth>? in
            guard let text = reader.scalar(item, what: "each entry of daysOfMonth") else { return nil }
            guard let day = DayOfMonth(manifestText: text.value) else {
                reader.diagnostics.append(
                    AllowedValueRule.diagnostic(
                        "daysOfMonth entries must be 1–28 or Last, not \"\(text.value)\"", at: item.range,
                        help: "use Last for the end of the month"))
                return nil
            }
            return Located(day, at: item.range)
        }
        guard let count else { return nil }
        return LongTermRetention(range: f.node.range, count: count, months: months, week: week, days: days, daysOfMonth: daysOfMonth)
    }

    // MARK: Protection

    static let protectionFields = FieldSet(header + ["vault", "subscription", "policy", "vms"])

    private mutating func protection(_ root: YAMLNode, owner: SourceRange) -> Protection? {
        guard let f = reader.fields(of: root, what: "Protection", owner: owner, allowed: Self.protectionFields) else { return nil }
        let vault = reader.string(f, "vault", required: true)
        let subscription = reader.subscription(f, required: false)
        let policy = reader.string(f, "policy")
        let vms = reader.stringList(f, "vms", required: true)
        guard let vault, let vms else { return nil }
        return Protection(document: root.range, vault: vault, subscription: subscription, policy: policy, vms: vms.value)
    }

    // MARK: NetworkRule and NSG rules

    static let securityRuleNames = [
        "name", "direction", "access", "priority", "protocol", "source", "sourcePorts",
        "destination", "destinationPorts", "description"
    ]
    static let securityRuleFields = FieldSet(securityRuleNames)
    static let networkRuleFields = FieldSet(header + ["nsg", "subscription"] + securityRuleNames)

    private mutating func networkRule(_ root: YAMLNode, owner: SourceRange) -> NetworkRule? {
        guard let f = reader.fields(of: root, what: "NetworkRule", owner: owner, allowed: Self.networkRuleFields) else { return nil }
        let rule = reader.securityRule(f)
        let nsg = reader.string(f, "nsg", required: true)
        let subscription = reader.subscription(f, required: false)
        guard let rule, let nsg else { return nil }
        return NetworkRule(document: root.range, rule: rule, nsg: nsg, subscription: subscription)
    }

    // MARK: VirtualMachine

    static let vmFields = FieldSet(
        header + [
            "name", "subscription", "resourceGroup", "region", "os", "agent", "disks", "deployment",
            "classic", "powerState", "networkSecurityGroups", "egress"
        ])

    static let osFields = FieldSet(["type", "version"])
    static let agentFields = FieldSet(["installed", "version"])
    static let disksFields = FieldSet(["managed", "encryptedStorage", "data"])
    static let classicFields = FieldSet(["reservedIp", "endpoints"])
    static let egressFields = FieldSet(["via", "proxy"])

    private mutating func virtualMachine(_ root: YAMLNode, owner: SourceRange) -> VirtualMachine? {
        guard let f = reader.fields(of: root, what: "VirtualMachine", owner: owner, allowed: Self.vmFields) else { return nil }
        let name = reader.string(f, "name", required: true)
        let subscription = reader.subscription(f, required: true)
        let resourceGroup = reader.resourceGroup(f)
        let region = reader.string(f, "region", required: true)
        let os = reader.object(f, "os", allowed: Self.osFields, required: true).flatMap { o -> OperatingSystem? in
            let type = reader.enumeration(o, "type", as: OSType.self, required: true)
            let version = reader.string(o, "version", required: true)
            guard let type, let version else { return nil }
            return OperatingSystem(range: o.node.range, type: type, version: version)
        }
        let agent = reader.object(f, "agent", allowed: Self.agentFields).flatMap { a -> VMAgent? in
            let installed = reader.boolean(a, "installed", required: true)
            let version = reader.string(a, "version")
            guard let installed else { return nil }
            return VMAgent(range: a.node.range, installed: installed, version: version)
        }
        let disks = reader.object(f, "disks", allowed: Self.disksFields).map { d in
            Disks(
                range: d.node.range, managed: reader.boolean(d, "managed"),
                encryptedStorage: reader.boolean(d, "encryptedStorage"), data: reader.count(d, "data"))
        }
        let deployment = reader.enumeration(f, "deployment", as: DeploymentModel.self)
        let classic = reader.object(f, "classic", allowed: Self.classicFields).map { c in
            ClassicSettings(
                range: c.node.range, reservedIp: reader.boolean(c, "reservedIp"),
                endpoints: reader.count(c, "endpoints"))
        }
        let powerState = reader.enumeration(f, "powerState", as: PowerState.self)
        let nsgs = reader.stringList(f, "networkSecurityGroups")
        let egress = reader.object(f, "egress", allowed: Self.egressFields).flatMap { e -> Egress? in
            let via = reader.enumeration(e, "via", as: EgressRoute.self, required: true)
            let proxy = reader.string(e, "proxy", required: via?.value == .proxy)
            guard let via else { return nil }
            return Egress(range: e.node.range, via: via, proxy: proxy)
        }
        guard let name, let subscription, let resourceGroup, let region, let os else { return nil }
        return VirtualMachine(
            document: root.range, name: name, subscription: subscription, resourceGroup: resourceGroup,
            region: region, os: os, agent: agent, disks: disks, deployment: deployment, classic: classic,
            powerState: powerState, networkSecurityGroups: nsgs?.value ?? [], egress: egress)
    }

    // MARK: NetworkSecurityGroup

    static let nsgFields = FieldSet(header + ["name", "subscription", "resourceGroup", "region", "rules"])

    private mutating func networkSecurityGroup(_ root: YAMLNode, owner: SourceRange) -> NetworkSecurityGroup? {
        guard let f = reader.fields(of: root, what: "NetworkSecurityGroup", owner: owner, allowed: Self.nsgFields) else { return nil }
        let name = reader.string(f, "name", required: true)
        let subscription = reader.subscription(f, required: true)
        let resourceGroup = reader.resourceGroup(f)
        let region = reader.string(f, "region", required: true)
        let rules = reader.list(f, "rules") { reader, item -> SecurityRule? in
            guard let fields = reader.fields(of: item, what: "rule", owner: item.range, allowed: Self.securityRuleFields) else {
                return nil
            }
            return reader.securityRule(fields)
        }
        guard let name, let subscription, let resourceGroup, let region else { return nil }
        return NetworkSecurityGroup(
            document: root.range, name: name, subscription: subscription, resourceGroup: resourceGroup,
            region: region, rules: rules?.value ?? [], rulesRange: rules?.range)
    }
}

extension FieldReader {
    /// The fields of an NSG security rule, shared by NetworkRule documents and NSG `rules` entries.
    mutating func securityRule(_ f: Fields) -> SecurityRule? {
        let name = string(f, "name", required: true)
        let direction = enumeration(f, "direction", as: RuleDirection.self, required: true)
        let access = enumeration(f, "access", as: RuleAccess.self, required: true)
        let priority = integer(f, "priority", required: true)
        let proto = string(f, "protocol", required: true)
        let sources = scalarOrList(f, "source", required: true)
        let sourcePorts = scalarOrList(f, "sourcePorts", required: true)
        let destinations = scalarOrList(f, "destination", required: true)
        let destinationPorts = scalarOrList(f, "destinationPorts", required: true)
        let description = string(f, "description")
        guard let name, let direction, let access, let priority, let proto, let sources, let sourcePorts,
            let destinations, let destinationPorts
        else { return nil }
        return SecurityRule(
            range: f.node.range, name: name, direction: direction, access: access, priority: priority,
            protocol: proto, sources: sources, sourcePorts: sourcePorts, destinations: destinations,
            destinationPorts: destinationPorts, description: description)
    }
}
