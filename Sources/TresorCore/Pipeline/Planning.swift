/// What plan and apply share: compile the manifests with the stored state in the rules'
/// context, then, when they have no errors, plan them against that state.
public struct Planning: Sendable {
    public var allowDestroy = false

    public init(allowDestroy: Bool = false) {
        self.allowDestroy = allowDestroy
    }

    public struct Result: Sendable {
        public var report: DiagnosticReport
        /// nil when the manifests or the plan have errors.
        public var plan: Plan?
    }

    public func plan(paths: [String], against state: State) -> Result {
        var compiler = Compiler()
        compiler.state = state
        return plan(compiler.check(paths: paths), against: state)
    }

    /// In-memory manifests, as `(path, text)` pairs (tests and rule examples).
    public func plan(sources: [(path: String, text: String)], against state: State) -> Result {
        var compiler = Compiler()
        compiler.state = state
        return plan(compiler.check(sources: sources), against: state)
    }

    private func plan(_ compiled: Compiler.Result, against state: State) -> Result {
        guard compiled.report.errorCount == 0 else { return Result(report: compiled.report, plan: nil) }
        var planner = Planner(estate: compiled.estate, state: state, allowDestroy: allowDestroy)
        let plan = planner.plan()
        let report = DiagnosticReport(sources: compiled.report.sources,
                                      diagnostics: compiled.report.diagnostics + planner.diagnostics)
        return Result(report: report, plan: report.errorCount == 0 ? plan : nil)
    }
}

extension State {
    /// Records a plan's changes without a journal or a provider: for tests and rule examples.
    public mutating func record(_ plan: Plan) {
        for change in plan.changes { change.journalEntry.apply(to: &self) }
        lineage = lineage ?? ProcessIdentity.uuid()
        serial += 1
    }
}
