import TresorModel
import TresorSupport

/// Diagnostics as a SARIF 2.1.0 log, for code scanning (GitHub, Azure DevOps, GitLab): every
/// rule of the catalog with its help, and each diagnostic as a result at its file and region.
public enum DiagnosticSARIF {
    static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    static let sourceRoot = "%SRCROOT%"

    /// `workingDirectory` is where relative paths start: the repository root in CI.
    public static func log(_ report: DiagnosticReport, workingDirectory: String) -> JSON {
        let rules = RuleCatalog.descriptions
        var ruleIndex: [String: Int] = [:]
        for (index, rule) in rules.enumerated() { ruleIndex[rule.code] = index }
        let run: JSON = .object([
            (
                "tool",
                .object([
                    (
                        "driver",
                        .object([
                            ("name", "tresor"),
                            ("semanticVersion", .string(TresorVersion.current)),
                            ("rules", .array(rules.map(rule)))
                        ])
                    )
                ])
            ),
            (
                "originalUriBaseIds",
                .object([
                    (sourceRoot, .object([("uri", .string(fileURI(ReportPath.normalized(workingDirectory), directory: true)))]))
                ])
            ),
            ("columnKind", "unicodeCodePoints"),
            (
                "results",
                .array(
                    report.diagnostics.map { diagnostic in
                        result(diagnostic, ruleIndex: ruleIndex[diagnostic.code], report: report, workingDirectory: workingDirectory)
                    })
            )
        ])
        return .object([("$schema", .string(schemaURI)), ("version", "2.1.0"), ("runs", .array([run]))])
    }

    private static func rule(_ rule: RuleDescription) -> JSON {
        .object([
            ("id", .string(rule.code)),
            ("shortDescription", .object([("text", .string(rule.title))])),
            ("fullDescription", .object([("text", .string(rule.rationale))])),
            ("help", .object([("text", .string(RuleDocs.explain(rule)))])),
            ("defaultConfiguration", .object([("level", .string(level(rule.severity)))])),
            ("properties", .object([("source", .string(rule.source))]))
        ])
    }

    private static func result(
        _ diagnostic: Diagnostic, ruleIndex: Int?, report: DiagnosticReport,
        workingDirectory: String
    ) -> JSON {
        var message = diagnostic.message
        var related: [JSON] = []
        for note in diagnostic.notes {
            guard let range = note.range else {
                message += "\nnote: \(note.message)"
                continue
            }
            let id = related.count + 1
            // "[text](id)" links the message to a related location (SARIF §3.11.6).
            let path = ReportPath.display(report.path(of: range), from: workingDirectory)
            message += "\nnote: \(note.message) at [\(path):\(range.line):\(range.column)](\(id))"
            related.append(
                .object(
                    [("id", .int(id))] + [location(range, report, workingDirectory)]
                        + [("message", .object([("text", .string(note.message))]))]))
        }
        if let help = diagnostic.help { message += "\nhelp: \(help)" }
        var members: [(String, JSON)] = [("ruleId", .string(diagnostic.code))]
        if let ruleIndex { members.append(("ruleIndex", .int(ruleIndex))) }
        members += [("level", .string(level(diagnostic.severity))), ("message", .object([("text", .string(message))]))]
        if let range = diagnostic.range {
            members.append(("locations", .array([.object([location(range, report, workingDirectory)])])))
        }
        if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
        return .object(members)
    }

    private static func location(_ range: SourceRange, _ report: DiagnosticReport, _ workingDirectory: String) -> (String, JSON) {
        let path = report.path(of: range)
        let artifact: JSON
        if let relative = ReportPath.relative(path, to: workingDirectory) {
            artifact = .object([("uri", .string(percentEncoded(relative))), ("uriBaseId", .string(sourceRoot))])
        } else {
            artifact = .object([("uri", .string(fileURI(ReportPath.normalized(path), directory: false)))])
        }
        return (
            "physicalLocation",
            .object([
                ("artifactLocation", artifact),
                (
                    "region",
                    .object([
                        ("startLine", .int(Int(range.line))),
                        ("startColumn", .int(Int(range.column))),
                        ("endLine", .int(Int(range.endLine))),
                        ("endColumn", .int(Int(range.endColumn)))
                    ])
                )
            ])
        )
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    private static func fileURI(_ absolutePath: String, directory: Bool) -> String {
        let encoded = percentEncoded(absolutePath)
        return "file://" + encoded + (directory && !encoded.hasSuffix("/") ? "/" : "")
    }

    /// A path as a URI reference: unreserved characters and "/" stay, every other byte is %XX.
    static func percentEncoded(_ path: String) -> String {
        var output = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return output
    }
}
