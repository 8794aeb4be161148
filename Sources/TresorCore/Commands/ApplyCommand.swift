import TresorFrontEnd
import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// How apply talks to the person running it, supplied by the CLI (and by tests).
public struct ApplyConsole {
    /// Prints to standard output at once (the plan before the question, progress notes).
    public var show: (String) -> Void
    /// Asks to go ahead, showing the question; nil when standard input is not a terminal.
    public var confirm: ((String) -> Bool)?
    /// Draws the progress line; nil when standard error is not a terminal.
    public var progress: ((ApplyProgress) -> Void)?
    /// Prints one line per finished change, in plan order, as CI logs want them; nil for none.
    public var finished: ((String) -> Void)?

    public init(
        show: @escaping (String) -> Void, confirm: ((String) -> Bool)?, progress: ((ApplyProgress) -> Void)?,
        finished: ((String) -> Void)? = nil
    ) {
        self.show = show
        self.confirm = confirm
        self.progress = progress
        self.finished = finished
    }
}

/// `tresor apply`: apply a saved plan exactly (`apply FILE`), or plan the manifests and apply
/// that (`apply PATH... --auto-approve`, or after a yes on a terminal).
public struct ApplyCommand {
    public var paths: [String]
    /// A saved plan from `plan --out`.
    public var planFile: String?
    public var store: any StateBackend
    /// Seconds to wait for a lock another run holds (`--lock-timeout`).
    public var lockTimeout = 0.0
    /// Where the changes take effect; chosen by the CLI (`--provider`).
    public var provider: any Provider
    public var autoApprove = false
    public var allowDestroy = false
    public var colored = false
    /// Whether planning first reads what Azure holds through the provider (SPEC §7);
    /// false for `--no-refresh`.
    public var refreshes = true
    /// `--refresh-only`: record in state what Azure holds, changing nothing in Azure.
    public var refreshOnly = false

    public init(paths: [String], planFile: String?, store: any StateBackend, provider: any Provider) {
        self.paths = paths.isEmpty ? ["."] : paths
        self.planFile = planFile
        self.store = store
        self.provider = provider
    }

    /// Whether `arguments` name one saved plan rather than manifests: a single regular file
    /// that is not a `.yaml`/`.yml` manifest.
    public static func isPlanFile(_ arguments: [String]) -> Bool {
        arguments.count == 1 && !ManifestInputs.isManifestName(arguments[0]) && Files.isRegularFile(arguments[0])
    }

    public func run(_ console: ApplyConsole) async -> CommandOutput {
        if planFile == nil, !autoApprove, console.confirm == nil {
            return CommandOutput(
                stderr: "error: apply needs --auto-approve when standard input is not a terminal "
                    + "(or a saved plan: `tresor plan --out FILE`, then `tresor apply FILE`)\n",
                exitCode: ExitCode.usage)
        }
        let lock: any StateLockHandle
        do {
            lock = try store.lock(operation: "apply", timeout: lockTimeout)
        } catch {
            return fail([error.diagnostic], sources: SourceFiles(), output: "")
        }
        defer { lock.release() }
        let store = self.store
        let load = { @Sendable in Result { () throws(FatalDiagnostic) in try store.load() } }
        // With manifests, compile them while the state is read.
        let (compiled, outcome) = planFile == nil ? Planning.compile(paths: paths, alongside: load) : (nil, load())
        var state: State
        var output = provider.banner.map { $0 + "\n" } ?? ""
        do {
            let loaded = try outcome.get()
            state = loaded.state
            if loaded.replayedActions > 0 {
                // Commit the interrupted apply's changes first, so that this apply's journal
                // and any saved plan refer to a written state.
                try store.write(state, replacing: loaded.storedSerial)
                output += replayNote(loaded, recorded: true)
            } else if loaded.hasJournal {
                try store.removeJournal()
            }
        } catch {
            return fail([error.diagnostic], sources: SourceFiles(), output: output)
        }

        let plan: Plan
        if let compiled {
            var refreshed: Refreshed?
            if refreshes || refreshOnly, refreshOnly || compiled.report.errorCount == 0 {
                switch await Refreshed.read(state, declaring: compiled.estate, through: provider) {
                case .success(let value): refreshed = value
                case .failure(let error):
                    return fail(compiled.report.diagnostics + [error.diagnostic], sources: compiled.report.sources, output: output)
                }
            }
            let result: Planning.Result
            if refreshOnly {
                var drift =
                    refreshed?.driftPlan(from: state, declaring: compiled.estate)
                    ?? Plan(lineage: state.lineage, serial: state.serial, changes: [])
                drift.refreshOnly = true
                result = Planning.Result(report: compiled.report, plan: drift)
            } else {
                result = Planning(allowDestroy: allowDestroy).plan(compiled, against: state, refreshed: refreshed)
                // What refresh found is recorded with the changes, even where no change follows.
                if let refreshed { state = refreshed.state }
            }
            var text = TextRenderer(colored: colored).render(result.report)
            guard let planned = result.plan else {
                return fail(result.report.diagnostics, sources: result.report.sources, output: output)
            }
            plan = planned
            if !text.isEmpty { text += "\n" }
            output += text + PlanText.render(plan)
            if !autoApprove, plan.hasChanges, let confirm = console.confirm {
                console.show(output)
                output = ""
                guard confirm("\nApply these changes? Only 'yes' applies them: ") else {
                    return CommandOutput(stdout: "Apply cancelled; nothing was changed.\n", exitCode: ExitCode.failure)
                }
            }
        } else {
            do {
                plan = try savedPlan(planFile ?? "", matching: state)
            } catch {
                return fail([error.diagnostic], sources: SourceFiles(), output: output)
            }
        }
        guard plan.hasChanges else {
            keepUntilExit((compiled, state, plan))
            return CommandOutput(stdout: output + (planFile == nil ? "" : PlanText.noChanges + "\n"))
        }
        console.show(output)
        output = ""
        if plan.refreshOnly {
            // Azure already holds these values: they only go into state.
            let storedSerial = state.serial
            state.record(plan)
            do throws(FatalDiagnostic) {
                try store.write(state, replacing: storedSerial)
            } catch {
                return fail([error.diagnostic], sources: SourceFiles(), output: output)
            }
            return CommandOutput(
                stdout: "Refresh recorded: \(plural(plan.changes.count, "change")) outside tresor. "
                    + "Wrote serial \(state.serial) to \(store.description); nothing in Azure was changed.\n")
        }
        do {
            try await Applier(store: store, provider: provider, progress: console.progress, finished: console.finished)
                .apply(plan, to: &state)
        } catch {
            return fail([error.diagnostic], sources: SourceFiles(), output: output)
        }
        let done = PlanAction.allCases.map { "\(plan.count($0)) \(PlanText.pastTense($0))" }.joined(separator: ", ")
        keepUntilExit((compiled, state, plan))
        return CommandOutput(stdout: "Apply complete: \(done). Wrote serial \(state.serial) to \(store.description).\n")
    }

    /// The saved plan, if it was made against `state` as it is now (TR602).
    private func savedPlan(_ path: String, matching state: State) throws(FatalDiagnostic) -> Plan {
        let plan: Plan
        switch Files.read(path, limit: .max) {
        case .failure:
            throw FatalDiagnostic(InputFileRule.diagnostic("cannot read the saved plan \"\(path)\"", at: nil))
        case .success(let bytes):
            do {
                plan = try PlanJSON.decode(bytes)
            } catch {
                throw FatalDiagnostic(
                    InputFileRule.diagnostic(
                        "\"\(path)\" is not a saved plan: \(error.message)", at: nil,
                        help: "save one with `tresor plan --out \(path)`"))
            }
        }
        guard plan.lineage == state.lineage, plan.serial == state.serial else {
            let made = "lineage \(plan.lineage ?? "(none)"), serial \(plan.serial)"
            let now = "lineage \(state.lineage ?? "(none)"), serial \(state.serial)"
            let cause = plan.lineage == state.lineage ? "the state was written since" : "the state is another one (its lineage differs)"
            throw FatalDiagnostic(
                StalePlanRule.diagnostic(
                    "saved plan \"\(path)\" is stale: it was made against \(made), the state is now at \(now)", at: nil,
                    notes: [DiagnosticNote(cause)],
                    help: "make a new plan with `tresor plan --out \(path)` and review it"))
        }
        return plan
    }

    private func fail(_ diagnostics: [Diagnostic], sources: SourceFiles, output: String) -> CommandOutput {
        let report = DiagnosticReport(sources: sources, diagnostics: diagnostics)
        let text = TextRenderer(colored: colored).render(report)
        return CommandOutput(stdout: output + text + "\nApply failed: \(plural(report.errorCount, "error")).\n", exitCode: ExitCode.failure)
    }
}
