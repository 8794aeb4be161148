/// What a command prints and how it exits. Commands return this rather than printing, so the
/// CLI stays a thin shell and tests can run every command in-process.
public struct CommandOutput: Sendable, Equatable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = ExitCode.success) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }
}

/// tresor's exit codes (SPEC §4).
public enum ExitCode {
    public static let success: Int32 = 0
    /// Errors found, or the command failed.
    public static let failure: Int32 = 1
    /// The plan has changes (only with --detailed-exitcode).
    public static let changes: Int32 = 2
    /// Bad command-line usage (sysexits EX_USAGE).
    public static let usage: Int32 = 64
}

/// Output formats for diagnostics: text for people, json for scripts, sarif for code scanning,
/// github for annotations in GitHub Actions.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    case text, json, sarif, github
}
