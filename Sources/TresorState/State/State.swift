import TresorModel

/// Stored state in memory: the managed resources by identity, with the lineage and serial that
/// tie saved plans and journals to one version of it.
public struct State: Sendable {
    /// The state file format this build reads and writes.
    public static let formatVersion = 1

    /// Made once, at the first write; nil for a state that was never written.
    public var lineage: String?
    /// Incremented on every write; 0 for a state that was never written.
    public var serial: Int
    /// Resources in the order they were first recorded; deleted ones leave a hole until written.
    private var slots: [StateResource?] = []
    private var indexByKey: [String: Int] = [:]

    public init(lineage: String? = nil, serial: Int = 0, resources: [StateResource] = []) {
        self.lineage = lineage
        self.serial = serial
        slots.reserveCapacity(resources.count)
        indexByKey.reserveCapacity(resources.count)
        for resource in resources { set(resource) }
    }

    public var resources: [StateResource] { slots.compactMap { $0 } }

    mutating func reserveCapacity(_ count: Int) {
        slots.reserveCapacity(count)
        indexByKey.reserveCapacity(count)
    }
    public var count: Int { indexByKey.count }
    public var isEmpty: Bool { indexByKey.isEmpty }

    /// Resources have slots, their positions, stable until the state is next loaded: the planner
    /// marks which it has matched by slot.
    package var slotCount: Int { slots.count }

    package func slot(forKey key: String) -> Int? { indexByKey[key] }

    package subscript(slot slot: Int) -> StateResource? { slots[slot] }

    public func resource(forKey key: String) -> StateResource? {
        indexByKey[key].flatMap { slots[$0] }
    }

    public func resource(id: String) -> StateResource? { resource(forKey: ResourceID.key(id)) }

    /// Records a resource that state does not hold yet; false when it does.
    public mutating func insert(_ resource: StateResource) -> Bool {
        let key = resource.key
        guard indexByKey[key] == nil else { return false }
        indexByKey[key] = slots.count
        slots.append(resource)
        return true
    }

    /// Records a resource, replacing any with the same identity in place.
    public mutating func set(_ resource: StateResource) {
        let key = resource.key
        if let index = indexByKey[key] {
            slots[index] = resource
        } else {
            indexByKey[key] = slots.count
            slots.append(resource)
        }
    }

    public mutating func remove(id: String) {
        guard let index = indexByKey.removeValue(forKey: ResourceID.key(id)) else { return }
        slots[index] = nil
    }

    /// The first policy or protected item whose vault the state does not hold. tresor never
    /// records one (a vault is created before what it holds and deleted only once it holds
    /// nothing), and no change to one could be applied: its vault is read off its ID.
    func firstWithoutItsVault() -> StateResource? {
        for case let resource? in slots {
            if let vault = resource.vaultKey, indexByKey[vault] == nil { return resource }
        }
        return nil
    }

    /// How many protected items (in either protection state) each vault holds, by vault key.
    /// A vault "holds backup items" when it has any (SPEC §3).
    public func itemCountsByVault() -> [String: Int] {
        var counts: [String: Int] = [:]
        for case let resource? in slots {
            if resource.kind == .protectedItem, let vault = resource.vaultKey { counts[vault, default: 0] += 1 }
        }
        return counts
    }
}
