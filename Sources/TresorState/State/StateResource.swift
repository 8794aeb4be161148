import TresorModel
import TresorSupport

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
    package var vaultKey: String? {
        kind == .backupPolicy || kind == .protectedItem ? Self.vaultKey(ofChild: key) : nil
    }

    /// The vault's part of a policy's or protected item's key: its identity starts with the vault's,
    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}`,
    /// eight path segments.
    package static func vaultKey(ofChild key: String) -> String? {
        var slashes = 0
        for index in key.utf8.indices where key.utf8[index] == UInt8(ascii: "/") {
            slashes += 1
            if slashes == 9 { return String(key[..<index]) }
        }
        return nil
    }

    /// What makes this resource unusable as its kind, or nil. Planning and applying read a
    /// policy's or item's vault off its ID and an item's VM, policy and protection state off its
    /// attributes; a state or journal that breaks them (a bad merge, a hand edit with the
    /// checksum recomputed) is refused when read, for a plan made from it could never be applied.
    package var shapeProblem: String? {
        if let problem = Self.idProblem(id, of: kind) { return problem }
        guard case .object = attributes else { return "\(kind.rawValue) \"\(id)\" has attributes that are not a JSON object" }
        guard kind == .protectedItem else { return nil }
        guard attributes[ProtectedItemAttribute.vm]?.stringValue != nil, attributes[ProtectedItemAttribute.policy]?.stringValue != nil,
            protectionState != nil
        else {
            return "ProtectedItem \"\(id)\" lacks its vm, its policy or its protectionState (Protected or ProtectionStopped)"
        }
        return nil
    }

    /// This policy or protected item, named for a message that it is without its vault.
    var withoutItsVault: String {
        "\(kind.rawValue) \"\(id)\" without its vault"
    }

    /// What makes `id` unusable as the identity of a `kind`, or nil.
    package static func idProblem(_ id: String, of kind: ManagedKind) -> String? {
        ResourceID.hasShape(id, of: kind)
            ? nil : "\(kind.rawValue) \"\(id)\" does not have the ID of a \(kind.rawValue), \(ResourceID.form(of: kind))"
    }

    /// For a protected item: the key of the VM it protects.
    package var vmKey: String? {
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
