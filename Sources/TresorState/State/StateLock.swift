import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who holds a state lock, written into the lock file for the TR603 message and `tresor unlock`.
public struct LockRecord: Sendable, Equatable {
    public var id: String
    public var operation: String
    public var user: String
    public var host: String
    public var pid: Int
    public var created: String

    public init(id: String, operation: String, user: String, host: String, pid: Int, created: String) {
        self.id = id
        self.operation = operation
        self.user = user
        self.host = host
        self.pid = pid
        self.created = created
    }

    package var json: JSON {
        .object([
            ("id", .string(id)), ("operation", .string(operation)), ("user", .string(user)),
            ("host", .string(host)), ("pid", .int(pid)), ("created", .string(created))
        ])
    }

    /// "lock ID (apply by USER on HOST, pid N, since TIME)"
    public var summary: String {
        "lock \(id) (\(operation) by \(user) on \(host), pid \(pid), since \(created))"
    }
}

extension LockRecord {
    /// This process's record for `operation`, with a new ID.
    package init(operation: String) {
        self.init(
            id: ProcessIdentity.uuid(), operation: operation, user: ProcessIdentity.user,
            host: ProcessIdentity.host, pid: ProcessIdentity.pid, created: ProcessIdentity.now())
    }

    package init?(bytes: [UInt8]) {
        guard let json = try? JSONReader.parse(bytes),
            let id = json["id"]?.stringValue, let operation = json["operation"]?.stringValue,
            let user = json["user"]?.stringValue, let host = json["host"]?.stringValue,
            let pid = json["pid"]?.intValue, let created = json["created"]?.stringValue
        else { return nil }
        self.init(id: id, operation: operation, user: user, host: host, pid: pid, created: created)
    }
}

/// The lock that guards plan and apply: flock(2) on `<state>.lock`. The kernel releases it when
/// the holding process ends, however it ends, so a killed run never blocks the next one. While
/// held, the file carries the holder's `LockRecord`. Releasing removes the file; acquiring checks
/// that the file it locked is still the one at the path, since a releaser may have removed it
/// between our open and our flock.
public final class StateLock: StateLockHandle {
    public enum Outcome {
        case acquired(StateLock)
        /// Another live process holds it; its record, when readable.
        case held(LockRecord?)
        case failed(String)
    }

    public let record: LockRecord
    let path: String
    private var descriptor: Int32

    private init(record: LockRecord, path: String, descriptor: Int32) {
        self.record = record
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    public static func acquire(_ path: String, operation: String) -> Outcome {
        for _ in 0..<100 {
            switch lockFile(path) {
            case .failure(let failure):
                return .failed(failure.message)
            case .success(nil):
                continue  // the file was replaced under us: lock the new one
            case .success(.some(let (descriptor, locked))):
                guard locked else {
                    let record = LockRecord(bytes: readAll(descriptor))
                    close(descriptor)
                    return .held(record)
                }
                let record = LockRecord(operation: operation)
                var bytes: [UInt8] = []
                record.json.write(into: &bytes)
                bytes.append(UInt8(ascii: "\n"))
                guard ftruncate(descriptor, 0) == 0, (try? Files.writeAll(descriptor, bytes, path: path)) != nil else {
                    let failure = Files.systemError("write", path)
                    close(descriptor)
                    return .failed(failure.message)
                }
                return .acquired(StateLock(record: record, path: path, descriptor: descriptor))
            }
        }
        return .failed("cannot lock \"\(path)\": it keeps being replaced")
    }

    /// Removes the lock file and releases the lock.
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    /// `tresor unlock`: removes the record of lock `id` when no live process holds the lock.
    public static func unlock(_ path: String, id: String) -> UnlockOutcome {
        guard Files.exists(path) else { return .noLock }
        switch lockFile(path, create: false) {
        case .failure(let failure):
            return .failed(failure.message)
        case .success(nil):
            return .noLock
        case .success(.some(let (descriptor, locked))):
            defer { close(descriptor) }
            let record = LockRecord(bytes: readAll(descriptor))
            guard locked else { return .heldByLiveProcess(record) }
            guard let record else {
                unlink(path)
                return .noLock
            }
            guard record.id.lowercased() == id.lowercased() else { return .otherLock(record) }
            unlink(path)
            return .removed(record)
        }
    }

    /// Opens `path` and tries to flock it without waiting. nil when the file at `path` is no
    /// longer the one opened (or is gone).
    private static func lockFile(_ path: String, create: Bool = true) -> Result<(Int32, Bool)?, Files.Failure> {
        let descriptor = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        guard descriptor >= 0 else {
            if !create, errno == ENOENT { return .success(nil) }
            return .failure(Files.systemError("open the lock file", path))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { return .success((descriptor, false)) }
            let failure = Files.systemError("lock", path)
            close(descriptor)
            return .failure(failure)
        }
        var opened = stat()
        var current = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &current) == 0,
            opened.st_dev == current.st_dev, opened.st_ino == current.st_ino
        else {
            close(descriptor)
            return .success(nil)
        }
        return .success((descriptor, true))
    }

    private static func readAll(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 4096, offset) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
            offset += off_t(count)
        }
        return bytes
    }
}

/// Waiting for a held lock: `--lock-timeout` retries every tenth of a second until its deadline.
package struct LockWait {
    private let deadline: Double

    package init(timeout: Double) {
        deadline = MonotonicClock.seconds() + timeout
    }

    /// Sleeps before the next try; false once the deadline has passed.
    package func waitAgain() -> Bool {
        let left = deadline - MonotonicClock.seconds()
        guard left > 0 else { return false }
        usleep(useconds_t(min(left, 0.1) * 1_000_000))
        return true
    }
}
