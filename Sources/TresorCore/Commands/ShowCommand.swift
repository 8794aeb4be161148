import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// Output formats for `tresor show`.
public enum ShowFormat: String, CaseIterable, Sendable {
    case text, json
}

/// `tresor show [PLANFILE]`: a saved plan, or the stored state. Read-only: takes no lock.
public struct ShowCommand: Sendable {
    public var planFile: String?
    public var store: any StateBackend
    public var format: ShowFormat = .text

    public init(planFile: String?, store: any StateBackend) {
        self.planFile = planFile
        self.store = store
    }

    public func run() -> CommandOutput {
        if let planFile { return showPlan(planFile) }
        let loaded: LoadedState
        do {
            loaded = try store.load()
        } catch {
            return failure(error.diagnostic)
        }
        let state = loaded.state
        switch format {
        case .json:
            let document = JSON.object([
                ("formatVersion", .int(State.formatVersion)),
                ("lineage", state.lineage.map(JSON.string) ?? .null),
                ("serial", .int(state.serial)),
                ("resources", .array(state.resources.map(\.json)))
            ])
            return CommandOutput(stdout: document.rendered() + "\n", stderr: replayNote(loaded))
        case .text:
            return CommandOutput(stdout: Self.text(state, in: store.description), stderr: replayNote(loaded))
        }
    }

    /// Resources grouped by kind in dependency order, each with its identity and attributes.
    static func text(_ state: State, in backend: String) -> String {
        let name = backend.prefix(1).uppercased() + backend.dropFirst()
        guard let lineage = state.lineage else { return "\(name): nothing has been applied yet.\n" }
        var output = "\(name): lineage \(lineage), serial \(state.serial), \(plural(state.count, "resource")).\n"
        var byRank: [[StateResource]] = Array(repeating: [], count: ManagedKind.allCases.count)
        for resource in state.resources { byRank[resource.kind.dependencyRank].append(resource) }
        for resource in byRank.joined() {
            let protection = resource.protectionState.map { " (\($0.rawValue))" } ?? ""
            output += "\n\(resource.kind.rawValue) \(resource.name)\(protection)\n    id: \(resource.id)\n"
            var fields: [UInt8] = []
            PlanText.writeFields(resource.attributes, into: &fields)
            output += String(decoding: fields, as: UTF8.self)
        }
        return output
    }

    private func showPlan(_ path: String) -> CommandOutput {
        guard case .success(let bytes) = Files.read(path, limit: .max) else {
            return failure(InputFileRule.diagnostic("cannot read the saved plan \"\(path)\"", at: nil))
        }
        do {
            let plan = try PlanJSON.decode(bytes)
            switch format {
            case .json: return CommandOutput(stdout: String(decoding: bytes, as: UTF8.self))
            case .text:
                return CommandOutput(
                    stdout: "Saved plan \(path), made against serial \(plan.serial) of lineage \(plan.lineage ?? "(new state)").\n\n"
                        + PlanText.render(plan))
            }
        } catch {
            return failure(InputFileRule.diagnostic("\"\(path)\" is not a saved plan: \(error.message)", at: nil))
        }
    }

    private func failure(_ diagnostic: Diagnostic) -> CommandOutput {
        let report = DiagnosticReport(sources: SourceFiles(), diagnostics: [diagnostic])
        return CommandOutput(stdout: TextRenderer(colored: false).render(report), exitCode: ExitCode.failure)
    }
}
