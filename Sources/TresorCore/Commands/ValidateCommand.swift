import TresorFrontEnd
import TresorModel
import TresorSupport

/// `tresor validate`: check manifests and report every problem.
public struct ValidateCommand: Sendable {
    public var paths: [String]
    /// az CLI inventory files (`az vm list --show-details -o json`, `az network nsg list -o json`).
    public var inventories: [String] = []
    public var format: DiagnosticFormat = .text
    public var strict = false
    public var colored = false
    /// Where relative paths in sarif and github output start: the repository root in CI.
    public var workingDirectory = ReportPath.currentDirectory()

    public init(paths: [String]) {
        self.paths = paths.isEmpty ? ["."] : paths
    }

    public func run() -> CommandOutput {
        let result = Compiler().check(paths: paths, inventories: inventories)
        keepUntilExit(result)
        return render(result)
    }

    func render(_ result: Compiler.Result) -> CommandOutput {
        let report = result.report
        let failed = report.failed(strict: strict)
        let exitCode = failed ? ExitCode.failure : ExitCode.success
        switch format {
        case .json:
            return CommandOutput(stdout: DiagnosticJSON.report(report, strict: strict).rendered() + "\n", exitCode: exitCode)
        case .sarif:
            let log = DiagnosticSARIF.log(report, workingDirectory: workingDirectory)
            return CommandOutput(stdout: log.rendered() + "\n", exitCode: exitCode)
        case .github:
            let annotations = GitHubAnnotations.render(report, workingDirectory: workingDirectory)
            return CommandOutput(stdout: annotations + Self.summary(report, estate: result.estate, strict: strict), exitCode: exitCode)
        case .text:
            var text = TextRenderer(colored: colored).render(report)
            if !report.diagnostics.isEmpty { text += "\n" }
            text += Self.summary(report, estate: result.estate, strict: strict)
            return CommandOutput(stdout: text, exitCode: exitCode)
        }
    }

    static func summary(_ report: DiagnosticReport, estate: Estate, strict: Bool) -> String {
        let files = report.sources.files.count
        let resources =
            estate.vaults.count + estate.policies.count + estate.protections.count
            + estate.networkRules.count + estate.virtualMachines.count + estate.networkSecurityGroups.count
        let counts = "\(plural(report.errorCount, "error")), \(plural(report.warningCount, "warning"))"
        let verdict = report.failed(strict: strict) ? "failed" : "valid"
        return "\(verdict): \(plural(files, "file")), \(plural(resources, "resource")), \(counts)\n"
    }
}
