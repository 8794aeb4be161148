import TresorFrontEnd
import TresorModel
import TresorState

/// What refresh reads (SPEC §7): the vaults tresor manages, with every policy and protected item
/// they hold, and the NSGs that hold its network rules, with every security rule; each once, in
/// the spelling state first has. Then, once the manifests are compiled, the vaults and NSGs they
/// declare that state does not know (`declared(by:beyond:)`): Azure may hold them already, with
/// items that TR104 counts, and a plain create would overwrite them.
public struct RefreshScope: Sendable, Equatable {
    public var vaults: [String]
    public var networkSecurityGroups: [String]

    public init(vaults: [String], networkSecurityGroups: [String]) {
        self.vaults = vaults
        self.networkSecurityGroups = networkSecurityGroups
    }

    /// The vaults and NSGs of `state`.
    public init(state: State) {
        var vaults = IDList()
        var groups = IDList()
        // State keeps a vault's policies and items together: the parent of the one before is
        // usually the parent of the next, and is not looked up again for each of 100,000 items.
        var lastParent = ""
        for slot in 0..<state.slotCount {
            guard let resource = state[slot: slot] else { continue }
            if resource.kind == .vault {
                vaults.add(resource.id)
                continue
            }
            if !lastParent.isEmpty, resource.id.utf8.starts(with: lastParent.utf8),
                resource.id.utf8.dropFirst(lastParent.utf8.count).first == UInt8(ascii: "/")
            {
                continue
            }
            let levels = resource.kind == .protectedItem ? 3 : 1
            guard let parent = ResourceID.parent(of: resource.id, levels: levels) else { continue }
            lastParent = parent
            if resource.kind == .networkRule { groups.add(parent) } else { vaults.add(parent) }
        }
        self.init(vaults: vaults.ids, networkSecurityGroups: groups.ids)
    }

    /// The vaults the manifests declare and the NSGs that hold their network rules, less those
    /// of `known`.
    public static func declared(by estate: Estate, beyond known: RefreshScope) -> RefreshScope {
        var vaults = IDList(known.vaults)
        var groups = IDList(known.networkSecurityGroups)
        for vault in estate.vaults { vaults.add(vault.id) }
        for rule in estate.networkRules {
            if let nsg = rule.nsgIndex { groups.add(estate.networkSecurityGroups[nsg].id) }
        }
        return RefreshScope(
            vaults: Array(vaults.ids.dropFirst(known.vaults.count)),
            networkSecurityGroups: Array(groups.ids.dropFirst(known.networkSecurityGroups.count)))
    }

    public var isEmpty: Bool { vaults.isEmpty && networkSecurityGroups.isEmpty }

    /// IDs in first-seen order, each once by its comparison key.
    private struct IDList {
        var ids: [String] = []
        var keys: Set<String> = []

        init(_ ids: [String] = []) {
            for id in ids { add(id) }
        }

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

    public init(
        vaults: [StateResource] = [], policies: [StateResource] = [], items: [LiveItem] = [],
        securityRules: [StateResource] = []
    ) {
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
