import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An inline `# tresor:ignore TR307 <reason>` comment. It suppresses diagnostics of its code at
/// the node on the next line that is not blank or a comment (that line and the lines indented
/// under it), or, before a document's first line, anywhere in that document.
struct Suppression: Sendable {
    static let marker = "tresor:ignore"

    /// The code as written, and the reason ("" when none was given).
    var code: String
    var reason: String
    /// The comment, where TR012 points.
    var comment: SourceRange
    /// The lines it covers; nil when no node follows the comment.
    var lines: ClosedRange<Int32>?

    /// The suppression comments of one file. libyaml drops comments, so this reads the lines.
    /// `documents` are the line spans of the file's documents.
    static func scan(_ source: SourceFile, file: FileID, documents: [ClosedRange<Int32>]) -> [Suppression] {
        guard source.withBytes(mentionsMarker) else { return [] }
        let lines = source.withBytes { String(decoding: $0, as: UTF8.self) }
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        var found: [Suppression] = []
        for (index, line) in lines.enumerated() {
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            let body = line.dropFirst(indent)
            guard body.hasPrefix("#") else { continue }
            let text = body.dropFirst().drop { $0 == " " }
            guard text.hasPrefix(marker) else { continue }
            let rest = text.dropFirst(marker.count)
            guard rest.isEmpty || rest.first == " " else { continue }
            let words = rest.drop { $0 == " " }
            let code = words.prefix { $0 != " " }
            var reason = words.dropFirst(code.count)
            while let first = reason.first, first == " " || first == "\t" { reason = reason.dropFirst() }
            while let last = reason.last, last == " " || last == "\t" { reason = reason.dropLast() }
            let lineNumber = index + 1
            let comment = SourceRange(
                file: file, line: lineNumber, column: indent + 1,
                endLine: lineNumber, endColumn: indent + body.count + 1)
            found.append(
                Suppression(
                    code: String(code), reason: String(reason), comment: comment,
                    lines: covered(after: index, in: lines, documents: documents)))
        }
        return found
    }

    /// The lines of the node after the comment on line `index` (0-based).
    private static func covered(after index: Int, in lines: [Substring], documents: [ClosedRange<Int32>]) -> ClosedRange<Int32>? {
        guard let target = lines.indices.dropFirst(index + 1).first(where: { isNode(lines[$0]) }) else { return nil }
        let first = Int32(target + 1)
        if let document = documents.first(where: { $0.lowerBound == first }) { return document }
        let indent = indentation(lines[target])
        let isEntry = lines[target].dropFirst(indent).hasPrefix("-")
        var last = target
        for next in lines.indices.dropFirst(target + 1) {
            let line = lines[next]
            guard isNode(line) else { continue }
            let nextIndent = indentation(line)
            // A block sequence may sit at its key's own indentation.
            let continues = nextIndent > indent || (nextIndent == indent && !isEntry && line.dropFirst(indent).hasPrefix("- "))
            guard continues, !isDocumentMarker(line) else { break }
            last = next
        }
        return first...Int32(last + 1)
    }

    /// A line that holds YAML content: not blank, not a comment, not a document marker.
    private static func isNode(_ line: Substring) -> Bool {
        let body = line.drop { $0 == " " || $0 == "\t" }
        return !body.isEmpty && !body.hasPrefix("#") && !isDocumentMarker(line)
    }

    private static func isDocumentMarker(_ line: Substring) -> Bool {
        line == "---" || line.hasPrefix("--- ") || line == "..."
    }

    private static func indentation(_ line: Substring) -> Int {
        line.prefix { $0 == " " }.count
    }

    /// Whether any "#" is followed (after spaces) by the marker: a fast test that lets files
    /// without suppressions skip the line-by-line reading. memchr finds the few "#" quickly.
    private static func mentionsMarker(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let marker = Array(Self.marker.utf8)
        guard let base = buffer.baseAddress else { return false }
        return marker.withUnsafeBufferPointer { marker in
            var index = 0
            while index < buffer.count, let hash = memchr(base + index, Int32(UInt8(ascii: "#")), buffer.count - index) {
                index = base.distance(to: hash.assumingMemoryBound(to: UInt8.self)) + 1
                while index < buffer.count, buffer[index] == UInt8(ascii: " ") { index += 1 }
                if buffer.count - index >= marker.count,
                    UnsafeBufferPointer(rebasing: buffer[index..<(index + marker.count)]).sameBytes(as: marker)
                {
                    return true
                }
            }
            return false
        }
    }
}
