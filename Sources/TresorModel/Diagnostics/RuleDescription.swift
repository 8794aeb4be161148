import TresorSupport

/// What a rule is, for the catalog, `tresor explain`, the rule docs and the tests: its stable
/// code, its severity, why it exists, where the fact comes from, and manifests that do and do
/// not trigger it. Every example is run by the test suite.
public struct RuleDescription: Sendable {
    /// The only place a code is written: the rule's diagnostics take it from here.
    public let code: String
    /// The severity of the rule's diagnostics, unless one says otherwise (see `CatalogRule`).
    public let severity: Severity
    public let title: String
    public let rationale: String
    public let source: String
    /// Each example is a complete set of manifests (YAML documents separated by `---`); in a
    /// triggering one, `↓` marks where each of the rule's diagnostics starts.
    public let triggering: [MarkedManifests]
    public let nonTriggering: [String]
    /// Examples for rules about stored state: manifests planned against the state that
    /// applying other manifests first leaves.
    public let triggeringAfterApply: [StateExample]
    public let nonTriggeringAfterApply: [StateExample]

    public init(
        code: String, severity: Severity, title: String, rationale: String, source: String,
        triggering: [String], nonTriggering: [String],
        triggeringAfterApply: [StateExample] = [], nonTriggeringAfterApply: [StateExample] = []
    ) {
        self.code = code
        self.severity = severity
        self.title = title
        self.rationale = rationale
        self.source = source
        self.triggering = triggering.map(MarkedManifests.init)
        self.nonTriggering = nonTriggering
        self.triggeringAfterApply = triggeringAfterApply
        self.nonTriggeringAfterApply = nonTriggeringAfterApply
    }
}

/// An example that needs stored state: `applied` is applied to empty state first, then
/// `manifests` is planned against the result (with `--allow-destroy` when `allowDestroy`).
/// In a triggering one, `↓` in `manifests` marks where each of the rule's diagnostics starts.
public struct StateExample: Sendable {
    public let applied: String
    public let manifests: MarkedManifests
    public let allowDestroy: Bool

    public init(applied: String, manifests: String, allowDestroy: Bool = false) {
        self.applied = applied
        self.manifests = MarkedManifests(manifests)
        self.allowDestroy = allowDestroy
    }
}

/// Manifests written with `↓` (SwiftLint's marker) just before each character a diagnostic must
/// start at. The markers are taken out: `text` is what `tresor explain` shows and the tests run.
public struct MarkedManifests: Sendable {
    public static let marker: Unicode.Scalar = "↓"

    /// A 1-based line and column, counted in Unicode scalars as libyaml counts them.
    public struct Mark: Hashable, Sendable, CustomStringConvertible {
        public let line: Int
        public let column: Int

        public var description: String { "\(line):\(column)" }
    }

    public let text: String
    /// Where each marker stood in `text`, in order.
    public let marks: [Mark]

    public init(_ marked: String) {
        var text = String.UnicodeScalarView()
        var marks: [Mark] = []
        var line = 1
        var column = 1
        for scalar in marked.unicodeScalars {
            if scalar == Self.marker {
                marks.append(Mark(line: line, column: column))
                continue
            }
            text.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.text = String(text)
        self.marks = marks
    }
}

/// An entry of the catalog: one code, described once. Its diagnostics are made with
/// `diagnostic`, which takes the code and severity from the description, so that no code is
/// written anywhere else. Each rule is an `EstateRule` or a `FrontEndRule` and is listed in
/// `RuleCatalog` (a test fails on one that is not).
public protocol CatalogRule: Sendable {
    static var description: RuleDescription { get }
}

extension CatalogRule {
    /// A diagnostic of this rule, at its severity.
    package static func diagnostic(
        _ message: String, at range: SourceRange?, notes: [DiagnosticNote] = [],
        help: String? = nil
    ) -> Diagnostic {
        Diagnostic(description.code, description.severity, message, at: range, notes: notes, help: help)
    }

    /// A diagnostic of this rule at another severity than the rule's, for the rules whose title
    /// names two: TR305 (an OS Azure Backup does not support is an error, one it may not support a
    /// warning) and TR402 (an unknown service tag is an error, a Storage tag of another region
    /// than the VMs a warning, as the rule may serve something else).
    package static func diagnostic(
        _ severity: Severity, _ message: String, at range: SourceRange?,
        notes: [DiagnosticNote] = [], help: String? = nil
    ) -> Diagnostic {
        Diagnostic(description.code, severity, message, at: range, notes: notes, help: help)
    }
}

/// A code reported outside the estate rules: by the loader, decoder or binder, or by the
/// planner, the state store or apply.
public protocol FrontEndRule: CatalogRule {}
