import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Renders diagnostics like a compiler: `file:line:col: severity[CODE]: message`, then the
/// source line with a caret under the span, then notes and the fix.
public struct TextRenderer: Sendable {
    public var colored: Bool

    public init(colored: Bool) {
        self.colored = colored
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    public static func wantsColor(fileDescriptor: Int32) -> Bool {
        if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isatty(fileDescriptor) == 1
    }

    public func render(_ report: DiagnosticReport) -> String {
        var output = ""
        var lines = LineIndexes(sources: report.sources)
        for diagnostic in report.diagnostics {
            output += render(diagnostic, lines: &lines)
        }
        return output
    }

    /// The line indexes of the files a report points into, each built on first use.
    struct LineIndexes {
        let sources: SourceFiles
        private var indexes: [FileID: LineIndex] = [:]

        init(sources: SourceFiles) {
            self.sources = sources
        }

        mutating func line(_ line: Int32, of file: FileID) -> String? {
            if indexes[file] == nil { indexes[file] = LineIndex(sources[file]) }
            return indexes[file]?.line(Int(line))
        }
    }

    func render(_ diagnostic: Diagnostic, lines: inout LineIndexes) -> String {
        let sources = lines.sources
        let gutter = String(([diagnostic.range] + diagnostic.notes.map(\.range)).compactMap { $0?.line }.max() ?? 0).count
        var output = ""
        let label = paint("\(diagnostic.severity.rawValue)[\(diagnostic.code)]", style(diagnostic.severity))
        output += header(diagnostic.range, sources) + label + paint(": \(diagnostic.message)", "1") + "\n"
        if let range = diagnostic.range { output += snippet(range, &lines, gutter: gutter, caret: style(diagnostic.severity)) }
        for note in diagnostic.notes {
            if let range = note.range {
                output += header(range, sources) + paint("note", style(.note)) + ": \(note.message)\n"
                output += snippet(range, &lines, gutter: gutter, caret: style(.note))
            } else {
                output += String(repeating: " ", count: gutter + 1) + "= " + paint("note", style(.note)) + ": \(note.message)\n"
            }
        }
        if let help = diagnostic.help {
            output += String(repeating: " ", count: gutter + 1) + "= " + paint("help", "32") + ": \(help)\n"
        }
        return output
    }

    private func header(_ range: SourceRange?, _ sources: SourceFiles) -> String {
        guard let range else { return "" }
        return paint("\(sources[range.file].path):\(range.line):\(range.column):", "1") + " "
    }

    private func snippet(_ range: SourceRange, _ lines: inout LineIndexes, gutter: Int, caret: String) -> String {
        guard let text = lines.line(range.line, of: range.file) else { return "" }
        let line = Array(text.replacingTabs())
        let start = max(0, min(Int(range.column) - 1, line.count))
        let end = range.endLine == range.line ? min(Int(range.endColumn) - 1, line.count) : line.count
        let width = max(1, end - start)
        let pad = String(repeating: " ", count: gutter)
        let number = String(range.line)
        return paint("\(pad) |", "34") + "\n"
            + paint(String(repeating: " ", count: gutter - number.count) + number + " |", "34") + " " + String(line) + "\n"
            + paint("\(pad) |", "34") + " " + String(repeating: " ", count: start) + paint(String(repeating: "^", count: width), caret)
            + "\n"
    }

    private func style(_ severity: Severity) -> String {
        switch severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        contains("\t") ? String(map { $0 == "\t" ? " " : $0 }) : self
    }
}
