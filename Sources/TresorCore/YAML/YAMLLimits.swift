/// Safety limits on untrusted input (TR003). Each is far above what a real manifest needs and
/// low enough that hostile files (billion laughs, deep nesting, huge files) fail fast in
/// bounded memory.
public struct YAMLLimits: Sendable {
    public var maxFileBytes: Int = 256 << 20
    public var maxDepth: Int = 64
    /// Nodes one document may hold once its aliases are expanded.
    public var maxDocumentNodes: Int = 1_000_000
    public var maxScalarBytes: Int = 64 << 10
    public var maxDocuments: Int = 500_000

    public init() {}
}
