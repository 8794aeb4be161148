import TresorSupport

/// One YAML document's nodes in three flat arrays: no allocation per node, per collection or
/// per key. Immutable while anything refers to it; the tree builder takes the storage back
/// (`takeStorage`) only from a document nobody else holds, to build the next one in it.
/// `@exclusivity(unchecked)`: reads are the hot path, and no access ever overlaps a write.
final class YAMLDocument: @unchecked Sendable {
    struct Node: Sendable {
        enum Kind: UInt8, Sendable { case scalar, sequence, mapping }

        var kind: Kind
        var plain: Bool
        var range: SourceRange
        /// Scalars: offset of the value in `bytes`. Collections: offset of the children in `children`.
        var start: Int32
        /// Scalars: the value's length in bytes. Collections: the number of children (keys and
        /// values alternate in a mapping).
        var count: Int32
    }

    @exclusivity(unchecked) private(set) var nodes: [Node]
    @exclusivity(unchecked) private(set) var children: [Int32]
    @exclusivity(unchecked) private(set) var bytes: [UInt8]

    init(nodes: [Node], children: [Int32], bytes: [UInt8]) {
        self.nodes = nodes
        self.children = children
        self.bytes = bytes
    }

    /// Empties the document and returns its arrays, emptied with their capacity kept. Only for
    /// a document that nothing else refers to.
    func takeStorage() -> (nodes: [Node], children: [Int32], bytes: [UInt8]) {
        var storage = ([Node](), [Int32](), [UInt8]())
        swap(&storage.0, &nodes)
        swap(&storage.1, &children)
        swap(&storage.2, &bytes)
        storage.0.removeAll(keepingCapacity: true)
        storage.1.removeAll(keepingCapacity: true)
        storage.2.removeAll(keepingCapacity: true)
        return storage
    }

    func withValue<Result>(of node: Node, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(node.start)..<Int(node.start + node.count)]))
        }
    }
}

/// A YAML node with its place in the source. Scalars stay text: the field that holds a value
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

    let document: YAMLDocument
    let index: Int32

    private var node: YAMLDocument.Node { document.nodes[Int(index)] }

    public var range: SourceRange { node.range }

    /// The node's content; collections are materialised on each call, so hot paths use
    /// `count`, `element(_:)` and `pair(_:)` instead.
    public var content: Content {
        let node = self.node
        switch node.kind {
        case .scalar: return .scalar(scalarText(node), plain: node.plain)
        case .sequence: return .sequence((0..<Int(node.count)).map { element($0) })
        case .mapping: return .mapping((0..<Int(node.count) / 2).map { pair($0) })
        }
    }

    var isSequence: Bool { node.kind == .sequence }
    var isMapping: Bool { node.kind == .mapping }

    /// Elements of a sequence, or pairs of a mapping.
    var count: Int {
        let node = self.node
        return node.kind == .mapping ? Int(node.count) / 2 : node.kind == .sequence ? Int(node.count) : 0
    }

    func element(_ position: Int) -> YAMLNode {
        YAMLNode(document: document, index: document.children[Int(node.start) + position])
    }

    func pair(_ position: Int) -> Pair {
        let start = Int(node.start) + 2 * position
        return Pair(
            key: YAMLNode(document: document, index: document.children[start]),
            value: YAMLNode(document: document, index: document.children[start + 1]))
    }

    /// The first pair of a mapping whose key is `key` (as UTF-8); nil otherwise.
    func pair(forKey key: [UInt8]) -> Pair? {
        guard isMapping else { return nil }
        for position in 0..<count {
            let pair = self.pair(position)
            if pair.key.withScalarBytes({ mine in key.withUnsafeBufferPointer { mine.sameBytes(as: $0) } }) == true { return pair }
        }
        return nil
    }

    public var scalar: String? {
        let node = self.node
        return node.kind == .scalar ? scalarText(node) : nil
    }

    /// Calls `body` with a scalar's UTF-8 bytes; nil for collections.
    func withScalarBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let node = self.node
        guard node.kind == .scalar else { return nil }
        return document.withValue(of: node, body)
    }

    private func scalarText(_ node: YAMLDocument.Node) -> String {
        document.withValue(of: node) { String(decoding: $0, as: UTF8.self) }
    }

    /// A plain empty, `~` or `null` scalar: YAML's null, which tresor reads as "no value".
    public var isNull: Bool {
        let node = self.node
        guard node.kind == .scalar, node.plain else { return false }
        return document.withValue(of: node) { value in
            switch value.count {
            case 0: return true
            case 1: return value[0] == UInt8(ascii: "~")
            case 4: return Self.nulls.contains { $0.withUnsafeBufferPointer { $0.sameBytes(as: value) } }
            default: return false
            }
        }
    }

    private static let nulls: [[UInt8]] = [Array("null".utf8), Array("Null".utf8), Array("NULL".utf8)]

    /// Words for the node's YAML type in messages: "a mapping", "a sequence", "a scalar".
    public var kindDescription: String {
        switch node.kind {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}
