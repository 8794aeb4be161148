import TresorFrontEnd
import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// Output formats for plans.
public enum PlanFormat: String, CaseIterable, Sendable {
    case text, json, markdown
}

/// `tresor plan`: check the manifests, diff them against stored state, print the plan, and
/// with `--out` save it for `tresor apply FILE`.
public struct PlanCommand: Sendable {
    public var paths: [String]
    /// az CLI JSON files read as observed facts (SPEC §5).
    public var inventories: [String] = []
    public var store: any StateBackend
    /// Seconds to wait for a lock another run holds (`--lock-timeout`).
    public var lockTimeout = 0.0
    public var out: String?
    public var format: PlanFormat = .text
    public var detailedExitCode = false
    public var allowDestroy = false
    public var colored = false
    /// Said first: the recording provider's word that plan and apply change nothing in Azure.
    public var banner: String?
    /// Connects to the provider that reads what Azure holds before planning (SPEC §7), once
    /// the manifests and state are read; nil plans from stored state alone (`--no-refresh`,
    /// `--provider record`), and then needs no credentials.
    public var refresher: (@Sendable () async -> Result<any Provider, FatalDiagnostic>)?
    /// `--refresh-only`: plan only the drift, from stored state to what Azure holds.
    public var refreshOnly = false

    public init(paths: [String], store: any StateBackend) {
        self.paths = paths.isEmpty ? ["."] : paths
        self.store = store
    }

    public func run() async -> CommandOutput {
        var output = await plan()
        if let banner {
            // JSON stays one document on stdout; the banner goes to stderr there.
            switch format {
            case .json: output.stderr = banner + "\n" + output.stderr
            case .markdown: output.stdout = "> \(banner)\n\n" + output.stdout
            case .text: output.stdout = banner + "\n" + output.stdout
            }
        }
        return output
    }

    private func plan() async -> CommandOutput {
        let lock: any StateLockHandle
        do {
            lock = try store.lock(operation: "plan", timeout: lockTimeout)
        } catch {
            return failure(DiagnosticReport(sources: SourceFiles(), diagnostics: [error.diagnostic]), state: nil)
        }
        defer { lock.release() }
        let store = self.store
        let load = { @Sendable in Result { () throws(FatalDiagnostic) in try store.load() } }
        let compiled: Compiler.Result
        let outcome: Result<LoadedState, FatalDiagnostic>
        var refreshing: Task<Result<(refreshed: Refreshed, provider: any Provider)?, FatalDiagnostic>, Never>?
        if let refresher {
            // Azure is read while the manifests compile: the reads wait on the network and the
            // read budget, the compiler on the CPU. State says what to read, so it comes first:
            // read beside the compiler, it would start the reads only when the compiler is done.
            outcome = load()
            if case .success(let loaded) = outcome {
                let state = loaded.state
                refreshing = Task { await Refreshed.read(state, connecting: refresher) }
            }
            // The compiler gets a thread of its own: on a pool thread it would hold back the
            // reads' tasks and answers until it ends.
            let (paths, inventories) = (self.paths, self.inventories)
            compiled = await Parallel.onOwnThread { Compiler().check(paths: paths, inventories: inventories) }
        } else {
            (compiled, outcome) = Planning.compile(paths: paths, inventories: inventories, alongside: load)
        }
        let loaded: LoadedState
        switch outcome {
        case .success(let value): loaded = value
        case .failure(let error): return failure(DiagnosticReport(sources: SourceFiles(), diagnostics: [error.diagnostic]), state: nil)
        }
        var refreshed: Refreshed?
        if let refreshing {
            guard refreshOnly || compiled.report.errorCount == 0 else {
                refreshing.cancel()
                return failure(compiled.report, state: loaded.state)
            }
            var failed: FatalDiagnostic?
            switch await refreshing.value {
            case .success(let value?):
                refreshed = value.refreshed
                // Now that the manifests are known: what they declare beyond state.
                failed = await refreshed?.readDeclared(by: compiled.estate, through: value.provider)
            case .success(nil): break
            case .failure(let error): failed = error
            }
            if let failed {
                let report = DiagnosticReport(
                    sources: compiled.report.sources, diagnostics: compiled.report.diagnostics + [failed.diagnostic])
                return failure(report, state: loaded.state)
            }
        }
        let result: Planning.Result
        if refreshOnly {
            // Only what Azure holds against state: the manifests' problems are shown, not planned.
            var drift =
                refreshed?.driftPlan(from: loaded.state, declaring: compiled.estate)
                ?? Plan(lineage: loaded.state.lineage, serial: loaded.state.serial, changes: [])
            drift.refreshOnly = true
            result = Planning.Result(report: compiled.report, plan: drift)
        } else {
            result = Planning(allowDestroy: allowDestroy).plan(compiled, against: loaded.state, refreshed: refreshed)
        }
        guard let plan = result.plan else { return failure(result.report, state: loaded.state) }
        var notes = replayNote(loaded)
        if let out {
            var bytes: [UInt8] = []
            PlanJSON.encode(plan, report: result.report).write(into: &bytes, pretty: true)
            bytes.append(UInt8(ascii: "\n"))
            do {
                try Files.replaceAtomically(out, with: bytes, keepingPreviousAt: nil)
            } catch {
                let diagnostic = InputFileRule.diagnostic("cannot save the plan: \(error.message)", at: nil)
                return failure(
                    DiagnosticReport(sources: result.report.sources, diagnostics: result.report.diagnostics + [diagnostic]),
                    state: loaded.state)
            }
            notes += "Saved the plan to \(out): `tresor apply \(out)` applies exactly these changes.\n"
        }
        let exitCode = detailedExitCode && plan.hasChanges ? ExitCode.changes : ExitCode.success
        var output: CommandOutput
        switch format {
        case .json:
            output = CommandOutput(
                stdout: PlanJSON.encode(plan, report: result.report).rendered() + "\n", stderr: notes, exitCode: exitCode)
        case .markdown:
            output = CommandOutput(
                stdout: PlanMarkdown.render(plan, diagnostics: result.report.diagnostics, sources: result.report.sources),
                stderr: notes, exitCode: exitCode)
        case .text:
            var text = TextRenderer(colored: colored).render(result.report)
            if !result.report.diagnostics.isEmpty { text += "\n" }
            output = CommandOutput(stdout: text + PlanText.render(plan) + notes, exitCode: exitCode)
        }
        keepUntilExit((compiled, loaded, result))
        return output
    }

    /// Diagnostics and no plan; the JSON keeps the plan's shape, with no changes.
    private func failure(_ report: DiagnosticReport, state: State?) -> CommandOutput {
        let verdict = "No plan: \(plural(report.errorCount, "error")), \(plural(report.warningCount, "warning"))."
        switch format {
        case .json:
            let empty = Plan(lineage: state?.lineage, serial: state?.serial ?? 0, changes: [])
            return CommandOutput(stdout: PlanJSON.encode(empty, report: report).rendered() + "\n", exitCode: ExitCode.failure)
        case .markdown:
            let text = TextRenderer(colored: false).render(report)
            return CommandOutput(stdout: "### tresor plan\n\n**\(verdict)**\n\n```\n\(text)```\n", exitCode: ExitCode.failure)
        case .text:
            return CommandOutput(stdout: TextRenderer(colored: colored).render(report) + "\n\(verdict)\n", exitCode: ExitCode.failure)
        }
    }
}

/// Says that an interrupted apply's journal was replayed into the state read (and, for apply,
/// written to the state file).
func replayNote(_ loaded: LoadedState, recorded: Bool = false) -> String {
    guard loaded.replayedActions > 0 else { return "" }
    return "note: the state includes \(plural(loaded.replayedActions, "change")) of an interrupted apply, "
        + (recorded ? "now recorded in the state\n" : "replayed from its journal\n")
}
