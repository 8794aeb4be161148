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
}
