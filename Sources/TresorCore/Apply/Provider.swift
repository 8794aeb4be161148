/// Where apply's changes take effect. v1 has no Azure connection: its one provider records the
/// changes, and state is the record. A provider that calls Azure would implement this too.
public protocol Provider {
    /// Carries out one change against the current state; throws when the target refuses it.
    mutating func perform(_ change: PlannedChange, in state: State) throws(ProviderFailure)
}

public struct ProviderFailure: Error, Sendable {
    public var message: String
}

/// Records changes without calling anything, refusing those Azure would refuse given the
/// recorded state: a policy or protected item needs its vault, a protected item its policy, and a
/// vault cannot be deleted while it holds items. A plan applied in order never trips these; a
/// plan out of order would.
struct RecordingProvider: Provider {
    mutating func perform(_ change: PlannedChange, in state: State) throws(ProviderFailure) {
        guard let after = change.after else {
            if change.kind == .vault, state.itemCountsByVault()[ResourceID.key(change.id), default: 0] > 0 {
                throw ProviderFailure(message: "vault \(change.name) still holds protected items")
            }
            return
        }
        let resource = StateResource(kind: change.kind, id: change.id, name: change.name, attributes: after)
        switch change.kind {
        case .vault, .networkRule:
            return
        case .backupPolicy:
            guard let vault = resource.vaultKey, state.resource(forKey: vault) != nil
            else { throw ProviderFailure(message: "policy \(change.name) needs its vault, which does not exist") }
        case .protectedItem:
            guard let vault = resource.vaultKey, let vaultResource = state.resource(forKey: vault) else {
                throw ProviderFailure(message: "protected item \(change.name) needs its vault, which does not exist")
            }
            let policy = after[ProtectedItemAttribute.policy]?.stringValue ?? ""
            guard policy.lowercased() == BackupPolicy.defaultName.lowercased()
                    || state.resource(id: ResourceID.backupPolicy(vaultID: vaultResource.id, name: policy)) != nil
            else { throw ProviderFailure(message: "protected item \(change.name) needs policy \(policy), which its vault does not hold") }
        }
    }
}
