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
    var dependencyRank: Int {
        switch self {
        case .vault: 0
        case .backupPolicy: 1
        case .networkRule: 2
        case .protectedItem: 3
        }
    }
}

/// A protected item's state in the vault (SPEC §3).
public enum ProtectionState: String, Sendable {
    case protected = "Protected"
    /// Backups stopped, recovery points retained.
    case stopped = "ProtectionStopped"
}

/// One managed resource as state records it: its identity and its attributes. Attributes are a
/// JSON object whose key paths (`retention.daily`, `tags.env`) are what plans diff.
public struct StateResource: Sendable, Equatable {
    public var kind: ManagedKind
    public var id: String
    public var name: String
    public var attributes: JSON

    public init(kind: ManagedKind, id: String, name: String, attributes: JSON) {
        self.kind = kind
        self.id = id
        self.name = name
        self.attributes = attributes
    }

    public var key: String { ResourceID.key(id) }

    public var protectionState: ProtectionState? {
        attributes[ProtectedItemAttribute.protectionState].flatMap { $0.stringValue }.flatMap(ProtectionState.init(rawValue:))
    }

    /// For a policy or protected item: the key of the vault that holds it.
    var vaultKey: String? {
        kind == .backupPolicy || kind == .protectedItem ? Self.vaultKey(ofChild: key) : nil
    }

    /// The vault's part of a policy's or protected item's key: its identity starts with the vault's,
    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}`,
    /// eight path segments.
    static func vaultKey(ofChild key: String) -> String? {
        var slashes = 0
        for index in key.utf8.indices where key.utf8[index] == UInt8(ascii: "/") {
            slashes += 1
            if slashes == 9 { return String(key[..<index]) }
        }
        return nil
    }

    /// For a protected item: the key of the VM it protects.
    var vmKey: String? {
        attributes[ProtectedItemAttribute.vm].flatMap { $0.stringValue }.map(ResourceID.key)
    }

    public var json: JSON {
        .object([("kind", .string(kind.rawValue)), ("id", .string(id)), ("name", .string(name)), ("attributes", attributes)])
    }

    /// A resource from its JSON form; nil when the shape is wrong.
    public init?(json: JSON) {
        guard case .object(let members) = json, members.count == 4,
              members[0].0 == "kind", let kind = members[0].1.stringValue.flatMap(ManagedKind.init(rawValue:)),
              members[1].0 == "id", let id = members[1].1.stringValue,
              members[2].0 == "name", let name = members[2].1.stringValue,
              members[3].0 == "attributes", case .object = members[3].1
        else { return nil }
        self.init(kind: kind, id: id, name: name, attributes: members[3].1)
    }
}

/// Attribute names of a protected item.
public enum ProtectedItemAttribute {
    public static let vm = "vm"
    public static let policy = "policy"
    public static let protectionState = "protectionState"
}
