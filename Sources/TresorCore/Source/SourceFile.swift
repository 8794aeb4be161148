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

    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .owned(let bytes): return try bytes.withUnsafeBufferPointer(body)
        case .mapped(let mapping): return try body(mapping.bindMemory(to: UInt8.self))
        }
    }

    /// The text of 1-based `line`, without its line break; nil when the file has no such line.
    public func line(_ line: Int) -> String? {
        guard line >= 1 else { return nil }
        return withBytes { bytes in
            var current = 1
            var start = 0
            while current < line {
                guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                start = newline + 1
                current += 1
            }
            var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
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
