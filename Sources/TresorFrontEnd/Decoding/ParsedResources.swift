import TresorModel
import TresorSupport

/// One file's resources as decoded, by kind, in document order; then every file's, with the
/// VMs and NSGs of inventories. References are still names: `Binder` resolves them and makes
/// the `Estate`.
struct ParsedResources: Sendable {
    var vaults: [Vault] = []
    var policies: [BackupPolicy] = []
    var protections: [Protection] = []
    var networkRules: [NetworkRule] = []
    var virtualMachines: [VirtualMachine] = []
    var networkSecurityGroups: [NetworkSecurityGroup] = []

    init() {}

    /// The resources of several files, in order, in arrays allocated once at their final size.
    init(merging parts: [ParsedResources]) {
        vaults = Self.merged(parts.map(\.vaults))
        policies = Self.merged(parts.map(\.policies))
        protections = Self.merged(parts.map(\.protections))
        networkRules = Self.merged(parts.map(\.networkRules))
        virtualMachines = Self.merged(parts.map(\.virtualMachines))
        networkSecurityGroups = Self.merged(parts.map(\.networkSecurityGroups))
    }

    /// `parts` joined. Copying a resource retains each of its strings and arrays, so a large
    /// kind (100,000 VMs) is copied on every core at once, each element found by a binary
    /// search of where the parts start.
    private static func merged<R: Sendable>(_ parts: [[R]]) -> [R] {
        let starts = parts.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        return Parallel.map(starts.last!) { index in
            // The part that holds `index`: the first whose end lies beyond it.
            var (low, high) = (0, parts.count - 1)
            while low < high {
                let middle = (low + high) / 2
                if starts[middle + 1] > index { high = middle } else { low = middle + 1 }
            }
            return parts[low][index - starts[low]]
        }
    }

    mutating func add(_ resource: consuming Resource) {
        // Consumed: its payload moves into the array rather than being copied and then freed.
        switch consume resource {
        case .vault(let vault): vaults.append(vault)
        case .backupPolicy(let policy): policies.append(policy)
        case .protection(let protection): protections.append(protection)
        case .networkRule(let rule): networkRules.append(rule)
        case .virtualMachine(let vm): virtualMachines.append(vm)
        case .networkSecurityGroup(let nsg): networkSecurityGroups.append(nsg)
        }
    }
}
