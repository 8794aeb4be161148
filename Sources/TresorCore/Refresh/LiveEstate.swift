/// What refresh reads (SPEC §7): the vaults tresor manages, with every policy and protected item
/// they hold, and the NSGs that hold its network rules, with every security rule. Vaults and
/// NSGs named in state or in the manifests, each once, in the spelling first seen.
public struct RefreshScope: Sendable, Equatable {
    public var vaults: [String]
    public var networkSecurityGroups: [String]

    public init(vaults: [String], networkSecurityGroups: [String]) {
        self.vaults = vaults
        self.networkSecurityGroups = networkSecurityGroups
    }

    /// The vaults and NSGs of `state` and of `estate` (when the manifests compiled).
    public init(state: State, estate: Estate?) {
        var vaults = IDList()
        var groups = IDList()
        for resource in state.resources {
            switch resource.kind {
            case .vault: vaults.add(resource.id)
            case .backupPolicy: ResourceID.parent(of: resource.id, levels: 1).map { vaults.add($0) }
            case .protectedItem: ResourceID.parent(of: resource.id, levels: 3).map { vaults.add($0) }
            case .networkRule: ResourceID.parent(of: resource.id, levels: 1).map { groups.add($0) }
            }
        }
        if let estate {
            for vault in estate.vaults { vaults.add(vault.id) }
            for index in estate.networkRules.indices {
                if let id = estate.networkRuleID(index), let nsg = ResourceID.parent(of: id, levels: 1) { groups.add(nsg) }
            }
        }
        self.init(vaults: vaults.ids, networkSecurityGroups: groups.ids)
    }

    public var isEmpty: Bool { vaults.isEmpty && networkSecurityGroups.isEmpty }

    /// IDs in first-seen order, each once by its comparison key.
    private struct IDList {
        var ids: [String] = []
        var keys: Set<String> = []

        mutating func add(_ id: String) {
            if keys.insert(ResourceID.key(id)).inserted { ids.append(id) }
        }
    }
}

/// What Azure holds in a `RefreshScope`, in state's shape: each resource's attributes use the
/// keys `DesiredState` gives them. A vault of the scope missing from `vaults` is gone (and so is
/// everything in it); a resource missing from its vault's or NSG's list is gone.
public struct LiveEstate: Sendable {
    public var vaults: [StateResource]
    public var policies: [StateResource]
    /// Every VM item of the vaults, soft-deleted ones and those tresor does not manage included.
    public var items: [LiveItem]
    public var securityRules: [StateResource]

    public init(vaults: [StateResource] = [], policies: [StateResource] = [], items: [LiveItem] = [],
                securityRules: [StateResource] = []) {
        self.vaults = vaults
        self.policies = policies
        self.items = items
        self.securityRules = securityRules
    }
}

/// A protected item as Azure lists it.
public struct LiveItem: Sendable {
    public var resource: StateResource
    /// `isScheduledForDeferredDelete`: deleted with its data kept for the soft-delete period.
    /// It no longer protects its VM, but Azure still counts it in its vault.
    public var softDeleted: Bool

    public init(_ resource: StateResource, softDeleted: Bool) {
        self.resource = resource
        self.softDeleted = softDeleted
    }
}
