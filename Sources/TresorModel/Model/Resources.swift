import TresorSupport

/// The kinds of manifest document. Managed kinds are planned and applied; observed kinds are
/// facts about what exists, which tresor never changes.
public enum ResourceKind: String, CaseIterable, Sendable {
    case vault = "Vault"
    case backupPolicy = "BackupPolicy"
    case protection = "Protection"
    case networkRule = "NetworkRule"
    case virtualMachine = "VirtualMachine"
    case networkSecurityGroup = "NetworkSecurityGroup"

    public var isManaged: Bool {
        switch self {
        case .vault, .backupPolicy, .protection, .networkRule: true
        case .virtualMachine, .networkSecurityGroup: false
        }
    }
}

public struct Vault: Sendable {
    public var document: SourceRange
    public var name: Located<String>
    public var subscription: Located<String>
    public var resourceGroup: Located<String>
    public var region: Located<String>
    public var replication: Located<Replication>?
    public var crossRegionRestore: Located<Bool>?
    public var tags: [(key: Located<String>, value: Located<String>)]

    public var effectiveReplication: Replication { replication?.value ?? .GRS }
    public var id: String {
        ResourceID.vault(subscription: subscription.value, resourceGroup: resourceGroup.value, name: name.value)
    }

    @inlinable package init(
        document: SourceRange, name: Located<String>, subscription: Located<String>,
        resourceGroup: Located<String>, region: Located<String>,
        replication: Located<Replication>? = nil, crossRegionRestore: Located<Bool>? = nil,
        tags: [(key: Located<String>, value: Located<String>)]
    ) {
        self.document = document
        self.name = name
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.region = region
        self.replication = replication
        self.crossRegionRestore = crossRegionRestore
        self.tags = tags
    }
}

public struct Schedule: Sendable {
    public var range: SourceRange
    public var frequency: Located<ScheduleFrequency>
    public var time: Located<String>
    public var days: Located<[Located<Weekday>]>?
    public var timeZone: Located<String>?

    public var effectiveTimeZone: String { timeZone?.value ?? "UTC" }

    @inlinable package init(
        range: SourceRange, frequency: Located<ScheduleFrequency>, time: Located<String>,
        days: Located<[Located<Weekday>]>? = nil, timeZone: Located<String>? = nil
    ) {
        self.range = range
        self.frequency = frequency
        self.time = time
        self.days = days
        self.timeZone = timeZone
    }
}

public struct WeeklyRetention: Sendable {
    public var range: SourceRange
    public var weeks: Located<Int>
    public var days: Located<[Located<Weekday>]>

    @inlinable package init(range: SourceRange, weeks: Located<Int>, days: Located<[Located<Weekday>]>) {
        self.range = range
        self.weeks = weeks
        self.days = days
    }
}

/// Monthly and yearly retention share their shape; yearly adds `months`.
public struct LongTermRetention: Sendable {
    public var range: SourceRange
    public var count: Located<Int>
    public var months: Located<[Located<Month>]>?
    public var week: Located<WeekOfMonth>?
    public var days: Located<[Located<Weekday>]>?
    public var daysOfMonth: Located<[Located<DayOfMonth>]>?

    @inlinable package init(
        range: SourceRange, count: Located<Int>, months: Located<[Located<Month>]>? = nil,
        week: Located<WeekOfMonth>? = nil, days: Located<[Located<Weekday>]>? = nil,
        daysOfMonth: Located<[Located<DayOfMonth>]>? = nil
    ) {
        self.range = range
        self.count = count
        self.months = months
        self.week = week
        self.days = days
        self.daysOfMonth = daysOfMonth
    }
}

public struct Retention: Sendable {
    public var range: SourceRange
    public var daily: Located<Int>?
    public var weekly: WeeklyRetention?
    public var monthly: LongTermRetention?
    public var yearly: LongTermRetention?

    @inlinable package init(
        range: SourceRange, daily: Located<Int>? = nil, weekly: WeeklyRetention? = nil,
        monthly: LongTermRetention? = nil, yearly: LongTermRetention? = nil
    ) {
        self.range = range
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
    }
}

public struct BackupPolicy: Sendable {
    public static let defaultName = "DefaultPolicy"

    public var document: SourceRange
    public var name: Located<String>
    public var vault: Located<String>
    public var subscription: Located<String>?
    public var schedule: Schedule
    public var instantRestoreDays: Located<Int>?
    public var retention: Retention?

    /// Set by binding: the vault that holds this policy.
    public var vaultIndex: Int?

    public var effectiveInstantRestoreDays: Int {
        instantRestoreDays?.value ?? (schedule.frequency.value == .Weekly ? 5 : 2)
    }

    @inlinable package init(
        document: SourceRange, name: Located<String>, vault: Located<String>,
        subscription: Located<String>? = nil, schedule: Schedule,
        instantRestoreDays: Located<Int>? = nil, retention: Retention? = nil,
        vaultIndex: Int? = nil
    ) {
        self.document = document
        self.name = name
        self.vault = vault
        self.subscription = subscription
        self.schedule = schedule
        self.instantRestoreDays = instantRestoreDays
        self.retention = retention
        self.vaultIndex = vaultIndex
    }
}

/// Which policy a protection uses, once bound.
public enum PolicyBinding: Sendable, Equatable {
    /// The vault's built-in DefaultPolicy (no declared policy of that name in the vault).
    case builtinDefault
    case declared(Int)
    case unresolved
}

public struct Protection: Sendable {
    public var document: SourceRange
    public var vault: Located<String>
    public var subscription: Located<String>?
    public var policy: Located<String>?
    public var vms: [Located<String>]

    /// Set by binding.
    public var vaultIndex: Int?
    public var policyBinding: PolicyBinding = .unresolved
    /// Set by binding: for each entry of `vms`, the VM it names, or nil when unresolved.
    public var vmIndices: [Int?] = []

    public var policyName: String { policy?.value ?? BackupPolicy.defaultName }

    @inlinable package init(
        document: SourceRange, vault: Located<String>, subscription: Located<String>? = nil,
        policy: Located<String>? = nil, vms: [Located<String>], vaultIndex: Int? = nil,
        policyBinding: PolicyBinding = .unresolved, vmIndices: [Int?] = []
    ) {
        self.document = document
        self.vault = vault
        self.subscription = subscription
        self.policy = policy
        self.vms = vms
        self.vaultIndex = vaultIndex
        self.policyBinding = policyBinding
        self.vmIndices = vmIndices
    }
}

/// An NSG security rule, as observed in an NSG or managed as a NetworkRule. Protocol, ports and
/// addresses stay text: their rules (TR402, TR406) report what is wrong with them.
public struct SecurityRule: Sendable {
    public var range: SourceRange
    public var name: Located<String>
    public var direction: Located<RuleDirection>
    public var access: Located<RuleAccess>
    public var priority: Located<Int>
    public var `protocol`: Located<String>
    public var sources: [Located<String>]
    public var sourcePorts: [Located<String>]
    public var destinations: [Located<String>]
    public var destinationPorts: [Located<String>]
    public var description: Located<String>?

    @inlinable package init(
        range: SourceRange, name: Located<String>, direction: Located<RuleDirection>,
        access: Located<RuleAccess>, priority: Located<Int>, `protocol`: Located<String>,
        sources: [Located<String>], sourcePorts: [Located<String>],
        destinations: [Located<String>], destinationPorts: [Located<String>],
        description: Located<String>? = nil
    ) {
        self.range = range
        self.name = name
        self.direction = direction
        self.access = access
        self.priority = priority
        self.`protocol` = `protocol`
        self.sources = sources
        self.sourcePorts = sourcePorts
        self.destinations = destinations
        self.destinationPorts = destinationPorts
        self.description = description
    }
}

public struct NetworkRule: Sendable {
    public var document: SourceRange
    public var rule: SecurityRule
    public var nsg: Located<String>
    public var subscription: Located<String>?

    /// Set by binding.
    public var nsgIndex: Int?

    @inlinable package init(
        document: SourceRange, rule: SecurityRule, nsg: Located<String>,
        subscription: Located<String>? = nil, nsgIndex: Int? = nil
    ) {
        self.document = document
        self.rule = rule
        self.nsg = nsg
        self.subscription = subscription
        self.nsgIndex = nsgIndex
    }
}

public struct OperatingSystem: Sendable {
    public var range: SourceRange
    public var type: Located<OSType>
    public var version: Located<String>

    @inlinable package init(range: SourceRange, type: Located<OSType>, version: Located<String>) {
        self.range = range
        self.type = type
        self.version = version
    }
}

public struct VMAgent: Sendable {
    public var range: SourceRange
    public var installed: Located<Bool>
    public var version: Located<String>?

    @inlinable package init(range: SourceRange, installed: Located<Bool>, version: Located<String>? = nil) {
        self.range = range
        self.installed = installed
        self.version = version
    }
}

public struct Disks: Sendable {
    public var range: SourceRange
    public var managed: Located<Bool>?
    public var encryptedStorage: Located<Bool>?
    public var data: Located<Int>?

    public var isManaged: Bool { managed?.value ?? true }

    @inlinable package init(
        range: SourceRange, managed: Located<Bool>? = nil, encryptedStorage: Located<Bool>? = nil,
        data: Located<Int>? = nil
    ) {
        self.range = range
        self.managed = managed
        self.encryptedStorage = encryptedStorage
        self.data = data
    }
}

public struct ClassicSettings: Sendable {
    public var range: SourceRange
    public var reservedIp: Located<Bool>?
    public var endpoints: Located<Int>?

    @inlinable package init(range: SourceRange, reservedIp: Located<Bool>? = nil, endpoints: Located<Int>? = nil) {
        self.range = range
        self.reservedIp = reservedIp
        self.endpoints = endpoints
    }
}

public struct Egress: Sendable {
    public var range: SourceRange
    public var via: Located<EgressRoute>
    public var proxy: Located<String>?

    @inlinable package init(range: SourceRange, via: Located<EgressRoute>, proxy: Located<String>? = nil) {
        self.range = range
        self.via = via
        self.proxy = proxy
    }
}

public struct VirtualMachine: Sendable {
    public var document: SourceRange
    public var name: Located<String>
    public var subscription: Located<String>
    public var resourceGroup: Located<String>
    public var region: Located<String>
    public var os: OperatingSystem
    public var agent: VMAgent?
    public var disks: Disks?
    public var deployment: Located<DeploymentModel>?
    public var classic: ClassicSettings?
    public var powerState: Located<PowerState>?
    public var networkSecurityGroups: [Located<String>]
    public var egress: Egress?

    /// Set by binding: for each entry of `networkSecurityGroups`, the NSG it names.
    public var nsgIndices: [Int?] = []

    public var effectiveDeployment: DeploymentModel { deployment?.value ?? .ResourceManager }
    public var effectivePowerState: PowerState { powerState?.value ?? .running }
    public var effectiveEgress: EgressRoute { egress?.via.value ?? .direct }
    public var id: String {
        ResourceID.virtualMachine(subscription: subscription.value, resourceGroup: resourceGroup.value, name: name.value)
    }

    @inlinable package init(
        document: SourceRange, name: Located<String>, subscription: Located<String>,
        resourceGroup: Located<String>, region: Located<String>, os: OperatingSystem,
        agent: VMAgent? = nil, disks: Disks? = nil, deployment: Located<DeploymentModel>? = nil,
        classic: ClassicSettings? = nil, powerState: Located<PowerState>? = nil,
        networkSecurityGroups: [Located<String>], egress: Egress? = nil, nsgIndices: [Int?] = []
    ) {
        self.document = document
        self.name = name
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.region = region
        self.os = os
        self.agent = agent
        self.disks = disks
        self.deployment = deployment
        self.classic = classic
        self.powerState = powerState
        self.networkSecurityGroups = networkSecurityGroups
        self.egress = egress
        self.nsgIndices = nsgIndices
    }
}

public struct NetworkSecurityGroup: Sendable {
    public var document: SourceRange
    public var name: Located<String>
    public var subscription: Located<String>
    public var resourceGroup: Located<String>
    public var region: Located<String>
    public var rules: [SecurityRule]
    /// Where `rules` is written; nil when a manifest leaves the rules out (an inventory may supply them).
    public var rulesRange: SourceRange?

    public var id: String {
        ResourceID.networkSecurityGroup(subscription: subscription.value, resourceGroup: resourceGroup.value, name: name.value)
    }

    @inlinable package init(
        document: SourceRange, name: Located<String>, subscription: Located<String>,
        resourceGroup: Located<String>, region: Located<String>, rules: [SecurityRule],
        rulesRange: SourceRange? = nil
    ) {
        self.document = document
        self.name = name
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.region = region
        self.rules = rules
        self.rulesRange = rulesRange
    }
}

/// One decoded manifest document.
public enum Resource: Sendable {
    case vault(Vault)
    case backupPolicy(BackupPolicy)
    case protection(Protection)
    case networkRule(NetworkRule)
    case virtualMachine(VirtualMachine)
    case networkSecurityGroup(NetworkSecurityGroup)
}
