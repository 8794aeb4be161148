/// The kinds of resource tresor manages and keeps in state. A Protection document becomes one
/// `ProtectedItem` per VM it lists; the built-in DefaultPolicy belongs to its vault and is not
/// a resource of its own (a declared `DefaultPolicy` document is).
public enum ManagedKind: String, CaseIterable, Sendable {
    case vault = "Vault"
    case backupPolicy = "BackupPolicy"
    case networkRule = "NetworkRule"
    case protectedItem = "ProtectedItem"

    /// Dependency order: a vault before its policies, network rules before the protections that
    /// need them to reach storage, protected items last. Deletes run in the reverse order.
    package var dependencyRank: Int {
        switch self {
        case .vault: 0
        case .backupPolicy: 1
        case .networkRule: 2
        case .protectedItem: 3
        }
    }
}
