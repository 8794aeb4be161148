import Dispatch
import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The apply journal, `<state>.journal`: an append-only record of the actions an apply has
/// completed since the state was last written, so that an interrupted apply loses nothing that
/// was done.
///
/// Format: one line per record, `<checksum> <json>\n`, where the checksum is the XXH64 of the
/// JSON in 16 hex digits. The first record binds the journal to one state version:
/// `{"journal":1,"lineage":…,"serial":…}`; each following one is an action, either
/// `{"action":…,"set":<resource>}` or `{"action":…,"remove":<id>}`. A last line that is
/// incomplete or fails its checksum is a write torn by a crash and is ignored; a bad line before
/// the last one means the file is damaged.
public enum Journal {
    static let version = 1

    public enum Entry: Equatable, Sendable {
        case set(action: String, StateResource)
        case remove(action: String, id: String)

        package var json: JSON {
            switch self {
            case .set(let action, let resource): .object([("action", .string(action)), ("set", resource.json)])
            case .remove(let action, let id): .object([("action", .string(action)), ("remove", .string(id))])
            }
        }

        package init?(json: JSON) {
            guard let action = json["action"]?.stringValue else { return nil }
            if let resource = json["set"].flatMap(StateResource.init(json:)) {
                self = .set(action: action, resource)
            } else if let id = json["remove"]?.stringValue {
                self = .remove(action: action, id: id)
            } else {
                return nil
            }
        }

        package func apply(to state: inout State) {
            switch self {
            case .set(_, let resource): state.set(resource)
            case .remove(_, let id): state.remove(id: id)
            }
        }
    }

    package struct Contents: Equatable {
        package var lineage: String
        package var serial: Int
        package var entries: [Entry]

        package init(lineage: String, serial: Int, entries: [Entry]) {
            self.lineage = lineage
            self.serial = serial
            self.entries = entries
        }
    }

    /// The recovery rule, the same for every backend: a journal's actions are replayed over the
    /// state version it was started against, which is then one serial further (the write the
    /// interrupted apply did not make). A journal of another version is left from an apply whose
    /// final write happened (the journal is cleared just after it): its actions are in the state
    /// already. Returns how many actions were replayed.
    package static func replay(_ journal: Contents?, onto state: inout State) -> Int {
        guard let journal, journal.serial == state.serial, journal.lineage == state.lineage || state.lineage == nil,
            !journal.entries.isEmpty
        else { return 0 }
        for entry in journal.entries { entry.apply(to: &state) }
        state.lineage = journal.lineage
        state.serial += 1
        return journal.entries.count
    }

    /// `replay`, as a backend loads a state: the actions replayed, or why the
    /// result cannot be used: it leaves a policy or protected item without its vault, which no
    /// apply does.
    package static func replayForLoading(_ journal: Contents?, onto state: inout State) throws(StateFile.Failure) -> Int {
        let replayed = replay(journal, onto: &state)
        if replayed > 0, let orphan = state.firstWithoutItsVault() {
            throw StateFile.Failure(message: "replayed, it leaves \(orphan.withoutItsVault)")
        }
        return replayed
    }

    static func line(_ json: JSON) -> [UInt8] {
        var body: [UInt8] = []
        json.write(into: &body)
        var line = Array(lineChecksum(body[...]).utf8)
        line.append(UInt8(ascii: " "))
        line += body
        line.append(UInt8(ascii: "\n"))
        return line
    }

    package static func lineChecksum(_ body: ArraySlice<UInt8>) -> String {
        XXH64.hex(body)
    }

    static func header(lineage: String, serial: Int) -> JSON {
        .object([("journal", .int(version)), ("lineage", .string(lineage)), ("serial", .int(serial))])
    }

    /// Reads a journal. nil when it holds not even a complete header (a crash while starting it).
    static func decode(_ bytes: [UInt8]) throws(Files.Failure) -> Contents? {
        var records: [JSON] = []
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }  // torn last line
            let record = parse(bytes[start..<newline])
            start = newline + 1
            guard let record else {
                if start >= bytes.count { break }  // torn last line
                throw Files.Failure(message: "journal line \(records.count + 1) is damaged (its checksum does not match)")
            }
            records.append(record)
        }
        guard let header = records.first else { return nil }
        guard header["journal"]?.intValue == version, let lineage = header["lineage"]?.stringValue,
            let serial = header["serial"]?.intValue
        else { throw Files.Failure(message: "its first line is not a tresor journal header of version \(version)") }
        var entries: [Entry] = []
        entries.reserveCapacity(records.count - 1)
        for (index, record) in records.dropFirst().enumerated() {
            do {
                entries.append(try action(record))
            } catch {
                throw Files.Failure(message: "journal line \(index + 2) \(error.message)")
            }
        }
        return Contents(lineage: lineage, serial: serial, entries: entries)
    }

    /// An action record, checked as every backend reads one; what is wrong with it is thrown as
    /// the rest of a sentence naming the record ("is not an action record", "records a resource
    /// tresor cannot use: ...").
    package static func action(_ record: JSON) throws(StateFile.Failure) -> Entry {
        guard let entry = Entry(json: record) else { throw StateFile.Failure(message: "is not an action record") }
        if case .set(_, let resource) = entry, let problem = resource.shapeProblem {
            throw StateFile.Failure(message: "records a resource tresor cannot use: \(problem)")
        }
        return entry
    }

    /// A line's JSON when its checksum matches.
    private static func parse(_ line: ArraySlice<UInt8>) -> JSON? {
        guard line.count > 17, line[line.startIndex + 16] == UInt8(ascii: " ") else { return nil }
        let body = line[(line.startIndex + 17)...]
        guard lineChecksum(body).utf8.elementsEqual(line.prefix(16)) else { return nil }
        return try? JSONReader.parse(Array(body))
    }
}

/// Appends to a journal. Records are handed to a writer thread at least every `writeSeconds`,
/// which renders them and writes them out (write(2): from then on a killed process loses
/// nothing, the kernel has them), and fsyncs (which guards against power loss and costs a disk
/// flush) every `syncInterval` records or `syncSeconds`, and when the journal is finished. So a
/// SIGKILL loses at most the last few milliseconds of records and a power cut the last few
/// hundred: with the recording provider, whose changes exist only in the journal, those changes
/// were then simply not done; a provider with effects elsewhere would see them planned and done
/// again by the next run, which converges because its changes are idempotent (Azure's PUTs and
/// DELETEs are). Rendering and writing each record on the applying thread would cost a quarter
/// of a 100,000-item apply.
struct JournalWriter: JournalSink {
    static let writeSeconds = 0.01
    static let syncInterval = 1000
    static let syncSeconds = 0.2

    let path: String
    private let descriptor: Int32
    private var pending: [Journal.Entry] = []
    private var lastHandOff = MonotonicClock.seconds()
    private let writer = DispatchQueue(label: "tresor.journal")
    /// The writer thread's first failure, and its fsync bookkeeping.
    private let progress = Locked(Progress())

    private struct Progress {
        var failure: Files.Failure?
        var unsynced = 0
        var lastSync = MonotonicClock.seconds()
    }

    /// Starts a new journal for the state version `lineage`/`serial`, replacing any old one.
    init(path: String, lineage: String, serial: Int) throws(Files.Failure) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Files.systemError("create", path) }
        try Files.writeAll(descriptor, Journal.line(Journal.header(lineage: lineage, serial: serial)), path: path)
        try Files.sync(descriptor, path: path)
        Files.syncDirectory(of: path)
    }

    mutating func append(_ entry: Journal.Entry) throws(JournalFailure) {
        pending.append(entry)
        if MonotonicClock.seconds() - lastHandOff >= Self.writeSeconds {
            if let failure = progress.withLock({ $0.failure }) { throw JournalFailure(message: failure.message) }
            handOff()
        }
    }

    /// Waits until every record appended so far is written out.
    mutating func flush() throws(JournalFailure) {
        handOff()
        writer.sync {}
        if let failure = progress.withLock({ $0.failure }) { throw JournalFailure(message: failure.message) }
    }

    /// Writes out, syncs and closes the journal.
    mutating func finish() throws(JournalFailure) {
        defer { close(descriptor) }
        try flush()
        do throws(Files.Failure) {
            try Files.sync(descriptor, path: path)
        } catch {
            throw JournalFailure(message: error.message)
        }
    }

    private mutating func handOff() {
        lastHandOff = MonotonicClock.seconds()
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let (descriptor, path, progress) = (self.descriptor, self.path, self.progress)
        writer.async {
            guard progress.withLock({ $0.failure == nil }) else { return }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.count * 600)
            for entry in batch { bytes += Journal.line(entry.json) }
            do throws(Files.Failure) {
                try Files.writeAll(descriptor, bytes, path: path)
                let due = progress.withLock { progress in
                    progress.unsynced += batch.count
                    return progress.unsynced >= Self.syncInterval || MonotonicClock.seconds() - progress.lastSync >= Self.syncSeconds
                }
                if due {
                    try Files.sync(descriptor, path: path)
                    progress.withLock {
                        $0.unsynced = 0
                        $0.lastSync = MonotonicClock.seconds()
                    }
                }
            } catch {
                progress.withLock { $0.failure = error }
            }
        }
    }
}
