/// Where the PostgreSQL backend keeps state (SPEC §8): the connection comes from
/// `TRESOR_PG_CONN` or libpq's own `PG*` variables, never from `tresor.yaml`.
public struct PostgresSettings: Sendable, Equatable {
    public static let connectionVariable = "TRESOR_PG_CONN"
    public static let workspaceVariable = "TRESOR_WORKSPACE"

    /// A libpq conninfo string or URI; empty lets libpq read `PG*`.
    public var connection: String
    public var schema: String
    public var workspace: String

    public init(connection: String, schema: String = "tresor", workspace: String = "default") {
        self.connection = connection
        self.schema = schema
        self.workspace = workspace
    }

    /// Settings from the environment: `TRESOR_PG_CONN`, and `TRESOR_WORKSPACE` over `workspace`
    /// (from tresor.yaml).
    public init(environment: [String: String], schema: String?, workspace: String?) {
        self.init(
            connection: environment[Self.connectionVariable] ?? "",
            schema: schema ?? "tresor",
            workspace: environment[Self.workspaceVariable].flatMap { $0.isEmpty ? nil : $0 } ?? workspace ?? "default")
    }

    /// A schema name used in SQL without quoting problems: lower-case letters, digits and
    /// underscores, starting with a letter or underscore, at most 63 bytes (PostgreSQL's limit).
    public static func isValidIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, first == UInt8(ascii: "_") || (97...122).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (97...122).contains($0) || (48...57).contains($0) }
    }
}
