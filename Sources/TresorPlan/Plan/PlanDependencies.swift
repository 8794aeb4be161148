import TresorModel
import TresorState

/// Which changes of a plan must succeed before each one starts, so that apply can run the rest
/// at once (SPEC §6): a vault before its policies and protected items, a policy before the items
/// that use it, an item's removal before the same VM is protected in another vault, a vault's
/// removal after the removal of everything in it. Changes to the rules of one NSG go one at a
/// time in plan order, since Azure checks priorities against the rules as they are
/// (`SecurityRuleConflict` when two swap priorities at once).
///
/// Dependencies only point backwards: the planner orders removals (children first), then
/// creates and updates (parents first). Work is linear in the number of changes.
enum PlanDependencies {
    static func of(_ changes: [PlannedChange]) -> [[Int]] {
        var result = [[Int]](repeating: [], count: changes.count)
        var vaultChange: [String: Int] = [:]
        var policyChange: [String: Int] = [:]
        var lastRuleChangeOfNSG: [Substring: Int] = [:]
        var itemRemovalsOfVM: [String: [Int]] = [:]
        var removalsInVault: [String: [Int]] = [:]
        var itemRemovalsInVault: [String: [Int]] = [:]

        for (index, change) in changes.enumerated() {
            let key = ResourceID.key(change.id)
            let isRemoval = change.after == nil
            var needs: [Int] = []
            switch change.kind {
            case .vault:
                if isRemoval {
                    needs += removalsInVault[key] ?? []
                } else {
                    vaultChange[key] = index
                }
            case .backupPolicy:
                let vault = StateResource.vaultKey(ofChild: key)
                if isRemoval {
                    needs += vault.flatMap { itemRemovalsInVault[$0] } ?? []
                    if let vault { removalsInVault[vault, default: []].append(index) }
                } else {
                    if let vault, let parent = vaultChange[vault] { needs.append(parent) }
                    policyChange[key] = index
                }
            case .networkRule:
                let nsg = Self.nsgKey(ofRule: key)
                if let previous = lastRuleChangeOfNSG[nsg] { needs.append(previous) }
                lastRuleChangeOfNSG[nsg] = index
            case .protectedItem:
                let vault = StateResource.vaultKey(ofChild: key)
                let vm = Self.vmKey(change)
                if isRemoval || change.action == .stopProtection {
                    if let vault {
                        removalsInVault[vault, default: []].append(index)
                        itemRemovalsInVault[vault, default: []].append(index)
                    }
                    if isRemoval, let vm { itemRemovalsOfVM[vm, default: []].append(index) }
                } else {
                    if let vault, let parent = vaultChange[vault] { needs.append(parent) }
                    if let vault, let policy = change.after?[ProtectedItemAttribute.policy]?.stringValue,
                        let policyIndex = policyChange[ResourceID.key(ResourceID.backupPolicy(vaultID: vault, name: policy))]
                    {
                        needs.append(policyIndex)
                    }
                    if let vm { needs += itemRemovalsOfVM[vm] ?? [] }
                }
            }
            result[index] = needs
        }
        return result
    }

    /// `…/networksecuritygroups/{nsg}/securityrules/{rule}` without its last two segments.
    private static func nsgKey(ofRule key: String) -> Substring {
        let utf8 = key.utf8
        guard let last = utf8.lastIndex(of: UInt8(ascii: "/")),
            let secondLast = utf8[..<last].lastIndex(of: UInt8(ascii: "/"))
        else { return key[...] }
        return key[..<secondLast]
    }

    private static func vmKey(_ change: PlannedChange) -> String? {
        (change.after ?? change.before)?[ProtectedItemAttribute.vm]?.stringValue.map(ResourceID.key)
    }
}
