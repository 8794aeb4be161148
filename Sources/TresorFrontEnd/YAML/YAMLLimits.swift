/// Safety limits on untrusted input (TR003). Each is far above what a real manifest needs and
/// low enough that hostile files (billion laughs, deep nesting, huge files) fail fast in
/// bounded memory.
public struct YAMLLimits: Sendable {
    public var maxFileBytes: Int = 256 << 20
    public var maxDepth: Int = 64
    /// Nodes one document may hold once its aliases are expanded.
    public var maxDocumentNodes: Int = 1_000_000
    public var maxScalarBytes: Int = 64 << 10
    /// Input libyaml may read past the last complete event: bounds what it buffers for one
    /// scalar or comment before tresor can see it (a scalar's characters take up to 4 bytes).
    public var maxBytesBetweenEvents: Int = 1 << 20
    public var maxDocuments: Int = 500_000
    /// Problems reported for one file before the rest are only counted: a file that is wrong in
    /// the same way a million times says so in the first thousand.
    public var maxDiagnosticsPerFile: Int = 1_000

    public init() {}
}
