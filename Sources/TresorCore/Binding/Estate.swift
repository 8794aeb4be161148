/// The checked model of every manifest in a run: resources by kind, with references bound to
/// indices (set by `Binder`). Rules read it; plan and apply compile it.
public struct Estate: Sendable {
    public var vaults: [Vault] = []
    public var policies: [BackupPolicy] = []
    public var protections: [Protection] = []
    public var networkRules: [NetworkRule] = []
    public var virtualMachines: [VirtualMachine] = []
    public var networkSecurityGroups: [NetworkSecurityGroup] = []

    /// For each vault, the policies it holds.
    public var policiesOfVault: [[Int]] = []
    /// For each NSG, the managed NetworkRules on it.
    public var networkRulesOfNSG: [[Int]] = []
    /// For each VM, where Protection documents list it: (protection index, entry index in `vms`).
    public var protectionsOfVM: [[(protection: Int, entry: Int)]] = []

    public init() {}

    /// The resources of several files, in order, in arrays allocated once at their final size.
    init(merging parts: [Estate]) {
        func merged<R>(_ kind: KeyPath<Estate, [R]>) -> [R] {
            var all: [R] = []
            all.reserveCapacity(parts.reduce(0) { $0 + $1[keyPath: kind].count })
            for part in parts { all += part[keyPath: kind] }
            return all
        }
        vaults = merged(\.vaults)
        policies = merged(\.policies)
        protections = merged(\.protections)
        networkRules = merged(\.networkRules)
        virtualMachines = merged(\.virtualMachines)
        networkSecurityGroups = merged(\.networkSecurityGroups)
    }

    mutating func add(_ resource: Resource) {
        switch resource {
        case .vault(let vault): vaults.append(vault)
        case .backupPolicy(let policy): policies.append(policy)
        case .protection(let protection): protections.append(protection)
        case .networkRule(let rule): networkRules.append(rule)
        case .virtualMachine(let vm): virtualMachines.append(vm)
        case .networkSecurityGroup(let nsg): networkSecurityGroups.append(nsg)
        }
    }

    public func policyID(_ index: Int) -> String? {
        guard let vault = policies[index].vaultIndex else { return nil }
        return ResourceID.backupPolicy(vaultID: vaults[vault].id, name: policies[index].name.value)
    }

    public func networkRuleID(_ index: Int) -> String? {
        guard let nsg = networkRules[index].nsgIndex else { return nil }
        return ResourceID.securityRule(nsgID: networkSecurityGroups[nsg].id, name: networkRules[index].rule.name.value)
    }
}
