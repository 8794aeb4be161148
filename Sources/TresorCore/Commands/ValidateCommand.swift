/// `tresor validate`: check manifests and report every problem.
public struct ValidateCommand: Sendable {
    public var paths: [String]
    public var format: DiagnosticFormat = .text
    public var strict = false
    public var colored = false

    public init(paths: [String]) {
        self.paths = paths.isEmpty ? ["."] : paths
    }

    public func run() -> CommandOutput {
        let result = Compiler().check(paths: paths)
        let report = result.report
        let failed = report.failed(strict: strict)
        let exitCode = failed ? ExitCode.failure : ExitCode.success
        switch format {
        case .json:
            return CommandOutput(stdout: DiagnosticJSON.report(report, strict: strict).rendered() + "\n", exitCode: exitCode)
        case .text:
            var text = TextRenderer(colored: colored).render(report)
            if !report.diagnostics.isEmpty { text += "\n" }
            text += Self.summary(report, estate: result.estate, strict: strict)
            return CommandOutput(stdout: text, exitCode: exitCode)
        }
    }

    static func summary(_ report: DiagnosticReport, estate: Estate, strict: Bool) -> String {
        let files = report.sources.files.count
        let resources = estate.vaults.count + estate.policies.count + estate.protections.count
            + estate.networkRules.count + estate.virtualMachines.count + estate.networkSecurityGroups.count
        let counts = "\(plural(report.errorCount, "error")), \(plural(report.warningCount, "warning"))"
        let verdict = report.failed(strict: strict) ? "failed" : "valid"
        return "\(verdict): \(plural(files, "file")), \(plural(resources, "resource")), \(counts)\n"
    }
}

/// "1 error", "2 errors"; `plural` for nouns that take more than an "s".
func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
