/// A YAML node with its place in the source. Scalars stay strings: the field that holds a value
/// decides its type, so `region: no` is the region "no", never a boolean.
public struct YAMLNode: Sendable {
    public struct Pair: Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
    }

    public enum Content: Sendable {
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    public var content: Content
    public var range: SourceRange

    /// A plain empty, `~` or `null` scalar: YAML's null, which tresor reads as "no value".
    public var isNull: Bool {
        guard case let .scalar(text, plain) = content, plain else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    public var scalar: String? {
        if case let .scalar(text, _) = content { return text }
        return nil
    }

    /// Words for the node's YAML type in messages: "a mapping", "a sequence", "a scalar".
    public var kindDescription: String {
        switch content {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}
