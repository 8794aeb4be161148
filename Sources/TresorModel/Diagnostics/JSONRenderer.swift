import TresorSupport

/// Diagnostics as JSON (SPEC §4): lines and columns 1-based, end exclusive.
public enum DiagnosticJSON {
    public static func report(_ report: DiagnosticReport, strict: Bool) -> JSON {
        .object([
            ("formatVersion", .int(1)),
            ("valid", .bool(!report.failed(strict: strict))),
            ("errorCount", .int(report.errorCount)),
            ("warningCount", .int(report.warningCount)),
            ("diagnostics", diagnostics(report))
        ])
    }

    public static func diagnostics(_ report: DiagnosticReport) -> JSON {
        .array(report.diagnostics.map { diagnostic($0, report.sources) })
    }

    static func diagnostic(_ diagnostic: Diagnostic, _ sources: SourceFiles) -> JSON {
        var notes = diagnostic.notes.map { note in
            JSON.object([("message", .string(note.message))] + location(note.range, sources))
        }
        if let help = diagnostic.help { notes.append(.object([("message", .string("help: \(help)"))])) }
        return .object(
            [
                ("code", .string(diagnostic.code)),
                ("severity", .string(diagnostic.severity.rawValue)),
                ("message", .string(diagnostic.message))
            ]
                + location(diagnostic.range, sources, always: true)
                + [("notes", .array(notes))])
    }

    private static func location(_ range: SourceRange?, _ sources: SourceFiles, always: Bool = false) -> [(String, JSON)] {
        guard let range else {
            return always ? ["file", "line", "column", "endLine", "endColumn"].map { ($0, JSON.null) } : []
        }
        return [
            ("file", .string(sources[range.file].path)),
            ("line", .int(Int(range.line))),
            ("column", .int(Int(range.column))),
            ("endLine", .int(Int(range.endLine))),
            ("endColumn", .int(Int(range.endColumn)))
        ]
    }
}
