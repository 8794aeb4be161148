import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// `tresor import`: writes manifests in `Examples/estate`'s layout and the state that makes the
/// next plan show no changes, for an estate read from az CLI output (`--from-az`) or from Azure
/// (the CLI reads it through TresorAzure and hands over the same JSON shapes). Nothing is
/// written unless the manifests compile without errors, and no existing file is overwritten.
public struct ImportCommand {
    /// az CLI JSON files.
    public var files: [String]
    /// Lists read from Azure, as `(what, JSON text)` in the az CLI's shapes.
    public var exported: [(path: String, text: String)] = []
    public var out: String
    public var store: any StateBackend
    public var colored = false

    public init(files: [String], out: String, store: any StateBackend) {
        self.files = files
        self.out = out
        self.store = store
    }

    public func run() -> CommandOutput {
        var export = AzureExport()
        export.read(files)
        export.read(texts: exported)
        let imported = EstateImport(export)
        var report = DiagnosticReport(sources: export.sources, diagnostics: export.diagnostics + imported.diagnostics)
        guard report.errorCount == 0 else { return failure(report, "the export could not be read") }

        let lock: any StateLockHandle
        let stored: State
        do throws(FatalDiagnostic) {
            lock = try store.lock(operation: "import", timeout: 0)
            stored = try store.load().state
        } catch {
            return failure(
                DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [error.diagnostic]), "nothing was written")
        }
        defer { lock.release() }
        let directory = out.hasSuffix("/") ? String(out.dropLast()) : out
        let manifests = imported.files.map { (path: "\(directory)/\($0.path)", text: $0.documents.joined(separator: "---\n")) }
        let existing = manifests.map(\.path).filter(Files.exists) + (stored.lineage != nil || !stored.isEmpty ? [store.description] : [])
        guard existing.isEmpty else {
            let diagnostic = InputFileRule.diagnostic(
                "import writes new files and a new state only; \(existing[0]) already exists", at: nil,
                help: "import into an empty --out directory, with a state that holds nothing yet")
            return failure(DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [diagnostic]), "nothing was written")
        }

        // The state is what applying the manifests records, plus stopped items (state only).
        let planned = Planning().plan(sources: manifests, against: State())
        guard let plan = planned.plan else {
            let errors = planned.report.diagnostics.filter { $0.severity == .error }
            return CommandOutput(
                stdout: TextRenderer(colored: colored).render(DiagnosticReport(sources: planned.report.sources, diagnostics: errors))
                    + "\nImport failed: the manifests made from the estate would not validate (the errors above are "
                    + "about the estate as it is); nothing was written.\n",
                exitCode: ExitCode.failure)
        }
        var state = State()
        state.record(plan)
        for item in imported.stoppedItems { state.set(item) }

        do throws(Files.Failure) {
            for manifest in manifests {
                try Files.createDirectories(Files.directory(of: manifest.path))
                try Files.replaceAtomically(
                    manifest.path, with: Array(("# Written by tresor import.\n" + manifest.text).utf8), keepingPreviousAt: nil)
            }
        } catch {
            let diagnostic = InputFileRule.diagnostic("cannot write the manifests: \(error.message)", at: nil)
            report = DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [diagnostic])
            return failure(report, "the state was not written")
        }
        do throws(FatalDiagnostic) {
            try store.write(state, replacing: 0)
        } catch {
            return failure(
                DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [error.diagnostic]),
                "the manifests were written, the state was not")
        }
        var text = TextRenderer(colored: colored).render(report)
        if !text.isEmpty { text += "\n" }
        let count = { (kind: ManagedKind) in plan.changes.count { $0.kind == kind } }
        text +=
            "Imported \(plural(count(.vault), "vault")), \(plural(count(.backupPolicy), "policy", "policies")), "
            + "\(plural(count(.protectedItem), "protected VM")), \(plural(count(.networkRule), "security rule"))"
            + (imported.stoppedItems.isEmpty ? "" : " and \(plural(imported.stoppedItems.count, "stopped protection")) (in state only)")
            + " into \(plural(manifests.count, "file")) under \(directory); wrote serial \(state.serial) to \(store.description).\n"
        if report.warningCount > 0 { text += "\(plural(report.warningCount, "thing")) not imported (TR607 above).\n" }
        return CommandOutput(stdout: text)
    }

    private func failure(_ report: DiagnosticReport, _ outcome: String) -> CommandOutput {
        CommandOutput(
            stdout: TextRenderer(colored: colored).render(report)
                + "\nImport failed: \(plural(report.errorCount, "error")); \(outcome).\n", exitCode: ExitCode.failure)
    }
}
