import TresorSupport

/// Diagnostics as GitHub Actions workflow commands, which put each one on its line in the pull
/// request: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=TR101::message`.
public enum GitHubAnnotations {
    public static func render(_ report: DiagnosticReport, workingDirectory: String) -> String {
        func path(_ range: SourceRange) -> String {
            ReportPath.display(report.path(of: range), from: workingDirectory)
        }
        var output = ""
        for diagnostic in report.diagnostics {
            var properties: [(String, String)] = []
            if let range = diagnostic.range {
                properties.append(("file", path(range)))
                properties.append(("line", String(range.line)))
                // GitHub takes columns only for a span on one line.
                if range.endLine == range.line {
                    properties += [
                        ("col", String(range.column)), ("endLine", String(range.endLine)),
                        ("endColumn", String(range.endColumn))
                    ]
                } else {
                    properties.append(("endLine", String(range.endLine)))
                }
            }
            properties.append(("title", diagnostic.code))
            var message = diagnostic.message
            for note in diagnostic.notes {
                let place = note.range.map { " (\(path($0)):\($0.line):\($0.column))" } ?? ""
                message += "\nnote: \(note.message)\(place)"
            }
            if let help = diagnostic.help { message += "\nhelp: \(help)" }
            output +=
                "::\(command(diagnostic.severity)) "
                + properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
                + "::\(escapeData(message))\n"
        }
        return output
    }

    private static func command(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "notice"
        }
    }

    /// The escaping of @actions/core's `escapeData`.
    static func escapeData(_ text: String) -> String {
        escape(text, ["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    /// The escaping of @actions/core's `escapeProperty`.
    static func escapeProperty(_ text: String) -> String {
        escape(text, ["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }

    /// Replaces scalars, not characters: "\r\n" is one Character but two escapes.
    private static func escape(_ text: String, _ replacements: [Unicode.Scalar: String]) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            if let replacement = replacements[scalar] { output += replacement } else { output.unicodeScalars.append(scalar) }
        }
        return output
    }
}
