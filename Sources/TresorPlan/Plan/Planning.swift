import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// What plan and apply share: compile the manifests (while the state is read on the other
/// core), run the rules that need stored state, then, when nothing has errors, plan the
/// manifests against the state.
public struct Planning: Sendable {
    public var allowDestroy = false

    public init(allowDestroy: Bool = false) {
        self.allowDestroy = allowDestroy
    }

    public struct Result: Sendable {
        public var report: DiagnosticReport
        /// nil when the manifests or the plan have errors.
        public var plan: Plan?

        package init(report: DiagnosticReport, plan: Plan?) {
            self.report = report
            self.plan = plan
        }
    }

    /// Compiles the manifests under `paths` while `work` (reading the state) runs on another
    /// thread. The compiler stays on the calling thread, as it spreads its own work over the cores.
    package static func compile<T: Sendable>(
        paths: [String], inventories: [String] = [],
        alongside work: @escaping @Sendable () -> T
    ) -> (Compiler.Result, T) {
        Parallel.join({ Compiler().check(paths: paths, inventories: inventories) }, alongside: work)
    }

    /// In-memory manifests, as `(path, text)` pairs (tests and rule examples).
    public func plan(sources: [(path: String, text: String)], against state: State, refreshed: Refreshed? = nil) -> Result {
        plan(Compiler().check(sources: sources), against: state, refreshed: refreshed)
    }

    /// Plans against `state`, or, when the plan refreshed, against `refreshed.state`: Azure's
    /// values, its item counts, and the changes it finds outside tresor marked.
    package func plan(_ compiled: Compiler.Result, against state: State, refreshed: Refreshed? = nil) -> Result {
        var state = refreshed?.state ?? state
        let desired = DesiredState(compiled.estate)
        // What the manifests declare and Azure already holds, unknown to state, is planned as if
        // adopted, so that the rules and the planner (TR104, TR105) see Azure's values; it is
        // refused (TR608) until `apply --refresh-only` adopts it.
        let adoptable = refreshed?.adoptable(desired) ?? []
        for entry in adoptable { state.set(entry.resource) }
        let stateDiagnostics = RuleCatalog.checkAgainstState(
            RuleContext(
                estate: compiled.estate, state: state,
                liveItemCounts: refreshed?.itemCounts))
        let alreadyInAzure = AlreadyInAzure.diagnostics(adoptable, in: compiled.estate)
        var report = DiagnosticReport(sources: compiled.report.sources, diagnostics: compiled.report.diagnostics + stateDiagnostics)
        guard report.errorCount == 0 else {
            return Result(report: DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + alreadyInAzure), plan: nil)
        }
        var planner = Planner(
            estate: compiled.estate, state: state, allowDestroy: allowDestroy, sources: report.sources,
            liveItemCounts: refreshed?.itemCounts)
        var plan = planner.plan(desired)
        refreshed?.mark(&plan)
        let refusals = planner.diagnostics + alreadyInAzure
        if !refusals.isEmpty {
            report = DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + refusals)
        }
        return Result(report: report, plan: report.errorCount == 0 ? plan : nil)
    }
}

extension State {
    /// Records a plan's changes without a journal or a provider: a refresh-only apply, whose
    /// changes Azure already holds; tests and rule examples.
    public mutating func record(_ plan: Plan) {
        for change in plan.changes { Journal.Entry(change, recorded: nil).apply(to: &self) }
        lineage = lineage ?? ProcessIdentity.uuid()
        serial += 1
    }
}
