#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations state handling needs, on file descriptors: whole writes, fsync and
/// atomic replacement. Errors carry the system's reason as text.
public enum Files {
    package struct Failure: Error, Sendable {
        package var message: String

        package init(message: String) {
            self.message = message
        }
    }

    package static func systemError(_ action: String, _ path: String) -> Failure {
        Failure(message: "cannot \(action) \"\(path)\": \(String(cString: strerror(errno)))")
    }

    /// Whether anything exists at `path`; errors other than "no such file" count as existing so
    /// that reading it reports them.
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 || errno != ENOENT
    }

    /// Creates `path` and any missing parents (`mkdir -p`).
    package static func createDirectories(_ path: String) throws(Failure) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            guard mkdir(partial, 0o755) == 0 || errno == EEXIST else { throw systemError("create the directory", partial) }
        }
    }

    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        guard bytes.withUnsafeBytes({ writeFully($0, to: descriptor) }) else { throw systemError("write", path) }
    }

    /// Writes all of `text` to a standard stream: a large plan takes more than one write. A
    /// failure is dropped, for there is nowhere left to report it.
    public static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        _ = text.withUTF8 { writeFully(UnsafeRawBufferPointer($0), to: descriptor) }
    }

    /// Writes the whole buffer, resuming after partial and interrupted writes; false on an error.
    private static func writeFully(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    package static func sync(_ descriptor: Int32, path: String) throws(Failure) {
        guard fsync(descriptor) == 0 else { throw systemError("sync", path) }
    }

    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Makes renames and unlinks in `path`'s directory durable.
    package static func syncDirectory(of path: String) {
        let directory = Files.directory(of: path)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Replaces `path` with `bytes` so that a crash at any moment leaves either the old or the new
    /// file, never a partial one: write a temporary file, fsync it, rename it over `path`. With a
    /// `backup` path, the previous version is first hard-linked there (so `path` never goes missing).
    package static func replaceAtomically(_ path: String, with bytes: [UInt8], keepingPreviousAt backup: String?) throws(Failure) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw systemError("create", temporary) }
        do {
            try writeAll(descriptor, bytes, path: temporary)
            try sync(descriptor, path: temporary)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        var info = stat()
        if let backup, stat(path, &info) == 0 {
            let backupTemporary = backup + ".tmp"
            unlink(backupTemporary)
            guard link(path, backupTemporary) == 0 || copy(path, to: backupTemporary),
                rename(backupTemporary, backup) == 0
            else { throw systemError("keep the previous version as", backup) }
        }
        guard rename(temporary, path) == 0 else { throw systemError("rename \"\(temporary)\" to", path) }
        syncDirectory(of: path)
    }

    /// A plain copy, for file systems without hard links.
    private static func copy(_ source: String, to destination: String) -> Bool {
        guard case .success(let bytes) = Files.read(source, limit: .max) else { return false }
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        do {
            try writeAll(descriptor, bytes, path: destination)
            try sync(descriptor, path: destination)
            return true
        } catch {
            return false
        }
    }

    package enum ReadError: Error {
        case system(String)
        case tooLarge(Int)
        case notAFile
    }

    /// The bytes of a whole regular file (state, plans), refusing one over `limit` bytes.
    package static func read(_ path: String, limit: Int) -> Result<[UInt8], ReadError> {
        map(path, limit: limit).map { source in source.withBytes { Array($0) } }
    }

    /// Maps a whole regular file read-only, refusing one over `limit` bytes before touching it.
    package static func map(_ path: String, limit: Int) -> Result<SourceFile, ReadError> {
        // Non-blocking: opening a FIFO named like a manifest must not wait for a writer.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.system(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.system(String(cString: strerror(errno)))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notAFile) }
        let size = Int(info.st_size)
        guard size <= limit else { return .failure(.tooLarge(size)) }
        guard size > 0 else { return .success(SourceFile(path: path, bytes: [])) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            return .failure(.system(String(cString: strerror(errno))))
        }
        return .success(SourceFile(path: path, mapping: UnsafeRawBufferPointer(start: address, count: size)))
    }
}

/// Who and where this process is, for lock records.
package enum ProcessIdentity {
    package static var user: String {
        if let name = getenv("USER"), name.pointee != 0 { return String(cString: name) }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    package static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static var pid: Int { Int(getpid()) }

    /// The current time in UTC, ISO 8601 to the second.
    package static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// A random (version 4) UUID, for lineages and lock IDs.
    package static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let characters = Array(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
