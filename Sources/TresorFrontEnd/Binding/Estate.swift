import TresorModel
import TresorSupport

/// The checked model of every manifest in a run: resources by kind, with references bound to
/// indices. Only `Binder` makes one, from the files' `ParsedResources`: an estate is always
/// bound. Rules read it; plan and apply compile it.
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

    public func policyID(_ index: Int) -> String? {
        guard let vault = policies[index].vaultIndex else { return nil }
        return ResourceID.backupPolicy(vaultID: vaults[vault].id, name: policies[index].name.value)
    }

    public func networkRuleID(_ index: Int) -> String? {
        guard let nsg = networkRules[index].nsgIndex else { return nil }
        return ResourceID.securityRule(nsgID: networkSecurityGroups[nsg].id, name: networkRules[index].rule.name.value)
    }
}
