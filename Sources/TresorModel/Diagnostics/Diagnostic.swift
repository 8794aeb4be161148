import TresorSupport

/// How serious a diagnostic is. Ordered from least to most severe.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case note
    case warning
    case error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A secondary message attached to a diagnostic, optionally at its own place ("first declared here").
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// Everything tresor tells the user: a problem with a stable code, where it is, and how to fix it.
/// Diagnostics are collected, never thrown, so that one run reports every problem.
public struct Diagnostic: Hashable, Sendable {
    public var code: String
    public var severity: Severity
    public var message: String
    public var range: SourceRange?
    public var notes: [DiagnosticNote]
    /// The fix, in words ("rename the vault to start with a letter"); rendered as `help:`.
    public var help: String?

    public init(
        _ code: String, _ severity: Severity, _ message: String, at range: SourceRange?,
        notes: [DiagnosticNote] = [], help: String? = nil
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.help = help
    }

    /// Sort order for output: by file, line and column; unlocated diagnostics first.
    package static func ordered(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        switch (a.range, b.range) {
        case (nil, nil): return a.code < b.code
        case (nil, _): return true
        case (_, nil): return false
        case (let ra?, let rb?): return ra == rb ? a.code < b.code : ra < rb
        }
    }
}

/// Diagnostics of one run together with the files they point into.
public struct DiagnosticReport: Sendable {
    public var sources: SourceFiles
    public var diagnostics: [Diagnostic]

    public init(sources: SourceFiles, diagnostics: [Diagnostic]) {
        self.sources = sources
        self.diagnostics = diagnostics.sorted(by: Diagnostic.ordered)
    }

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// Whether the run failed: any error, or with `strict` any warning.
    public func failed(strict: Bool) -> Bool {
        errorCount > 0 || (strict && warningCount > 0)
    }

    public func path(of range: SourceRange) -> String { sources[range.file].path }
}

/// A diagnostic that ends a command: the state cannot be read or locked, a saved plan is stale.
/// Manifest problems are collected instead, so that one run reports them all.
public struct FatalDiagnostic: Error, Sendable {
    public var diagnostic: Diagnostic

    public init(_ diagnostic: Diagnostic) {
        self.diagnostic = diagnostic
    }
}
