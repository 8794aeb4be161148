import TresorModel
import TresorSupport

/// Where state is kept, from `backend:` in the working directory's `tresor.yaml` and
/// `TRESOR_BACKEND` (SPEC §8). The local file stays the default. Never a connection string or a
/// password: those come from the environment.
///
/// ```yaml
/// backend:
///   type: postgres        # or local; TRESOR_BACKEND overrides it
///   schema: tresor        # default tresor
///   workspace: prod-weu   # default "default"; TRESOR_WORKSPACE overrides it
/// ```
///
/// `backend: postgres` is short for `backend: {type: postgres}`.
public struct BackendConfiguration: Sendable, Equatable {
    public static let variable = "TRESOR_BACKEND"
    static let fields = FieldSet(["type", "schema", "workspace"])

    public enum Kind: String, ManifestEnum {
        case local, postgres
    }

    public var kind: Kind = .local
    public var schema: String?
    public var workspace: String?

    public init(kind: Kind = .local, schema: String? = nil, workspace: String? = nil) {
        self.kind = kind
        self.schema = schema
        self.workspace = workspace
    }

    /// Reads the value of `backend:` in a tresor.yaml document.
    static func read(_ node: YAMLNode, reader: inout FieldReader) -> BackendConfiguration? {
        if node.scalar != nil {
            return reader.enumeration(node, what: "backend", as: Kind.self).map { BackendConfiguration(kind: $0.value) }
        }
        guard let fields = reader.fields(of: node, what: "backend", owner: node.range, allowed: fields) else { return nil }
        var configuration = BackendConfiguration()
        if let kind = reader.enumeration(fields, "type", as: Kind.self) { configuration.kind = kind.value }
        configuration.schema = reader.value(fields, "schema", required: false).flatMap { reader.scalar($0, what: "backend schema") }?.value
        configuration.workspace =
            reader.value(fields, "workspace", required: false)
            .flatMap { reader.scalar($0, what: "backend workspace") }?.value
        if configuration.kind == .local, configuration.schema != nil || configuration.workspace != nil {
            reader.diagnostics.append(
                ValueTypeRule.diagnostic(
                    "schema and workspace apply only to `type: postgres`", at: node.range,
                    help: "remove them, or set `type: postgres`"))
            return nil
        }
        return configuration
    }

    /// The backend named by `tresor.yaml` in the working directory and `TRESOR_BACKEND`; the
    /// diagnostics (with their sources) instead when the file or the variable is wrong.
    public static func load(environment: [String: String]) -> (configuration: BackendConfiguration, problems: DiagnosticReport?) {
        var configuration = BackendConfiguration()
        var sources = SourceFiles()
        var diagnostics: [Diagnostic] = []
        if Files.isRegularFile(RuleConfiguration.fileName) {
            let file = Compiler().parse([Compiler.Input(path: RuleConfiguration.fileName, role: .configuration)])[0]
            sources.add(file.source)
            diagnostics = file.diagnostics.filter { $0.severity == .error }
            if let backend = file.configuration?.backend { configuration = backend }
        }
        if let variable = environment[variable], !variable.isEmpty {
            if let kind = Kind(manifestText: variable) {
                if kind != configuration.kind { configuration = BackendConfiguration(kind: kind) }
            } else {
                diagnostics.append(
                    InputFileRule.diagnostic(
                        "\(Self.variable)=\(variable) names no backend", at: nil,
                        help: "use local or postgres"))
            }
        }
        return (configuration, diagnostics.isEmpty ? nil : DiagnosticReport(sources: sources, diagnostics: diagnostics))
    }
}
