#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read as input: its path as the user named it, and its bytes for parsing and for
/// rendering source lines. Files on disk are memory-mapped, so a large estate costs page-cache
/// pages rather than a copy.
public final class SourceFile: @unchecked Sendable {
    public let path: String
    private let storage: Storage

    private enum Storage {
        case owned([UInt8])
        /// A read-only private mapping, unmapped in deinit.
        case mapped(UnsafeRawBufferPointer)
    }

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        storage = .owned(bytes)
    }

    /// Takes ownership of a mapping made with mmap.
    init(path: String, mapping: UnsafeRawBufferPointer) {
        self.path = path
        storage = .mapped(mapping)
    }

    deinit {
        if case .mapped(let mapping) = storage {
            munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
        }
    }

    public var byteCount: Int {
        switch storage {
        case .owned(let bytes): bytes.count
        case .mapped(let mapping): mapping.count
        }
    }

    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .owned(let bytes): return try bytes.withUnsafeBufferPointer(body)
        case .mapped(let mapping): return try body(mapping.bindMemory(to: UInt8.self))
        }
    }
}

/// Where each line of a file starts, found once, so rendering many diagnostics in one file does
/// not rescan it from the top for each.
package struct LineIndex {
    private let source: SourceFile
    private let starts: [Int]

    package init(_ source: SourceFile) {
        self.source = source
        starts = source.withBytes { bytes in
            var starts = [0]
            guard let base = bytes.baseAddress else { return starts }
            var offset = 0
            while offset < bytes.count,
                let newline = memchr(base + offset, Int32(UInt8(ascii: "\n")), bytes.count - offset)
            {
                offset = base.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                starts.append(offset)
            }
            return starts
        }
    }

    /// Longer lines are cut for display (a minified or hostile file can have a 50 MB line).
    static let maxDisplayBytes = 400

    /// The text of 1-based `line`, without its line break, cut after `maxDisplayBytes` bytes (then
    /// ending in "…"), with control characters shown as U+FFFD so that binary input cannot drive
    /// the terminal; nil when there is no such line.
    package func line(_ line: Int) -> String? {
        guard line >= 1, line <= starts.count else { return nil }
        return source.withBytes { bytes in
            let start = starts[line - 1]
            var end = line < starts.count ? starts[line] - 1 : bytes.count
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            guard start <= end else { return nil }
            let cut = end - start > Self.maxDisplayBytes
            if cut { end = start + Self.maxDisplayBytes }
            var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            if cut { text += "…" }
            guard text.unicodeScalars.contains(where: Self.isControl) else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.map { Self.isControl($0) ? "\u{FFFD}" : $0 }))
        }
    }

    /// C0 and C1 controls and DEL; a tab stays (the renderer shows it as a space).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Index of a file in the run's `SourceFiles` table. Ordered like the files themselves.
public typealias FileID = Int32

/// A span in a source file: 1-based line and column (columns count characters, as libyaml's
/// marks do), end exclusive, as in SARIF regions.
public struct SourceRange: Hashable, Sendable, Comparable {
    public var file: FileID
    public var line: Int32
    public var column: Int32
    public var endLine: Int32
    public var endColumn: Int32

    public init(file: FileID, line: Int, column: Int, endLine: Int, endColumn: Int) {
        self.file = file
        self.line = Int32(truncatingIfNeeded: line)
        self.column = Int32(truncatingIfNeeded: column)
        self.endLine = Int32(truncatingIfNeeded: endLine)
        self.endColumn = Int32(truncatingIfNeeded: endColumn)
    }

    public static func < (a: SourceRange, b: SourceRange) -> Bool {
        (a.file, a.line, a.column, a.endLine, a.endColumn) < (b.file, b.line, b.column, b.endLine, b.endColumn)
    }
}

/// Every file of one run, in a fixed order; `SourceRange.file` indexes it.
public struct SourceFiles: Sendable {
    public private(set) var files: [SourceFile] = []

    public init() {}

    @discardableResult
    public mutating func add(_ file: SourceFile) -> FileID {
        files.append(file)
        return FileID(files.count - 1)
    }

    public subscript(id: FileID) -> SourceFile { files[Int(id)] }
}
