import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// Output formats for `tresor graph`.
public enum GraphFormat: String, CaseIterable, Sendable {
    case mermaid, dot
}

/// `tresor graph`: the estate as a diagram, in Mermaid (GitHub and GitLab draw it in markdown)
/// or Graphviz DOT. Diagnostics go to standard error so that standard output pipes into a
/// renderer. With errors the exit code is 1, as for `plan`, but unlike a plan the diagram is
/// still drawn, of what could be read and titled with the error count: a diagram changes
/// nothing, and the errors it is most asked about (TR401, TR405: backup traffic blocked) are
/// exactly what it shows in red.
public struct GraphCommand: Sendable {
    public var paths: [String]
    /// az CLI JSON files read as observed facts (SPEC §5).
    public var inventories: [String] = []
    public var format: GraphFormat = .mermaid
    /// With a state file, the diagram also shows what state holds: resources only in state,
    /// stopped protections, declared resources not applied yet. Read without taking the lock.
    public var store: (any StateBackend)?
    public var colored = false

    public init(paths: [String]) {
        self.paths = paths.isEmpty ? ["."] : paths
    }

    public func run() -> CommandOutput {
        let store = self.store
        let (compiled, loaded) = Planning.compile(paths: paths, inventories: inventories) {
            store.map { store in Result { () throws(FatalDiagnostic) in try store.load() } }
        }
        var report = compiled.report
        var state: State?
        switch loaded {
        case .success(let value)?: state = value.state
        case .failure(let error)?: report = DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [error.diagnostic])
        case nil: break
        }
        let diagnostics = report.diagnostics.isEmpty ? "" : TextRenderer(colored: colored).render(report)
        let graph = EstateGraph(compiled.estate, state: state)
        let (diagram, detail) = graph.diagram()
        var title = "tresor graph: \(graph.summary)"
        var shows = "shows \(detail.description)"
        if report.errorCount > 0 {
            title = "tresor graph, with \(plural(report.errorCount, "error")): \(graph.summary)"
            shows += "; only what could be read, see the errors"
        }
        var output: CommandOutput
        switch format {
        case .mermaid:
            output = CommandOutput(stdout: MermaidRenderer.render(diagram, comments: [title, shows]), stderr: diagnostics)
        case .dot:
            output = CommandOutput(stdout: DOTRenderer.render(diagram, title: "\(title)\n\(shows)"), stderr: diagnostics)
        }
        if report.errorCount > 0 {
            output.stderr +=
                "\nThe graph shows only what could be read: \(plural(report.errorCount, "error")), \(plural(report.warningCount, "warning")).\n"
            output.exitCode = ExitCode.failure
        }
        keepUntilExit((compiled, state))
        return output
    }
}
