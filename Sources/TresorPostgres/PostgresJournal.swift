import Dispatch
import TresorState
import TresorSupport

/// An apply's journal as rows of the `journal` table. Appended records are handed off at least
/// every `handOffSeconds` (a timer hands off records that no later one pushes out, as when the
/// next change takes minutes) to an outbox, which a writer thread sends as one COPY, committing
/// it. While a COPY is under way the outbox fills, and the next COPY takes all of it: the number
/// of commits follows the server's pace instead of queueing up behind it. So a killed run loses
/// at most the records of the last moments, as the local journal loses its unwritten tail (with
/// the recording provider those changes were then simply not done; a provider with effects
/// elsewhere sees them planned and done again, which converges). A failed COPY (the connection
/// is gone) is reported by the next `append`, which stops the apply.
///
/// The state write that ends an apply holds everything, so it does not wait for the outbox:
/// what is still unsent when it commits is dropped, and sent only if the write fails.
///
/// Each row carries the state version it was started against (lineage, serial), its position
/// (seq) and the XXH64 of its entry, which loading checks.
final class PostgresJournal: JournalSink, @unchecked Sendable {
    static let handOffSeconds = 0.05

    private let connection: PostgresConnection
    private let copyStatement: String
    /// The columns every row shares, already escaped for COPY.
    private let workspace: [UInt8]
    private let version: [UInt8]
    private let writer = DispatchQueue(label: "tresor.postgres-journal")

    /// The applying thread's side: records not handed off yet.
    private struct Pending {
        var entries: [Journal.Entry] = []
        var lastHandOff = MonotonicClock.seconds()
        var timerSet = false
    }

    /// The writer's side: records handed off and not sent yet, from `firstSeq` on.
    private struct Outbox {
        var entries: [Journal.Entry] = []
        var firstSeq = 1
        var sendQueued = false
        /// A state write is under way: it will make these rows moot, or send them if it fails.
        var writing = false
        var superseded = false
        var failure: JournalFailure?
    }

    private let pending = Locked(Pending())
    private let outbox = Locked(Outbox())

    init(connection: PostgresConnection, schema: String, workspace: String, lineage: String, serial: Int) {
        self.connection = connection
        copyStatement = "COPY \(schema).journal (workspace, seq, lineage, serial, checksum, entry) FROM STDIN"
        self.workspace = Self.escaped(Array(workspace.utf8))
        version = Self.escaped(Array(lineage.utf8)) + [0x09] + Array(String(serial).utf8)
    }

    func append(_ entry: Journal.Entry) throws(JournalFailure) {
        let (due, setTimer) = pending.withLock { pending in
            pending.entries.append(entry)
            let due = MonotonicClock.seconds() - pending.lastHandOff >= Self.handOffSeconds
            let setTimer = !due && !pending.timerSet
            if setTimer { pending.timerSet = true }
            return (due, setTimer)
        }
        if setTimer {
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.handOffSeconds) { [weak self] in self?.handOff() }
        }
        guard due else { return }
        if let failure = outbox.withLock({ $0.failure }) { throw failure }
        handOff()
    }

    func flush() throws(JournalFailure) {
        handOff()
        writer.sync {}
        if let failure = outbox.withLock({ $0.failure }) { throw failure }
    }

    func finish() throws(JournalFailure) {
        try flush()
    }

    /// Before a state write: records not sent yet wait for its outcome.
    func holdForWrite() {
        outbox.withLock { $0.writing = true }
        handOff()
    }

    /// The state write committed (called with the connection still held): rows not sent are
    /// moot, and none may follow.
    func writeCommitted() {
        outbox.withLock { outbox in
            outbox.superseded = true
            outbox.entries.removeAll()
        }
    }

    /// The state write failed: the journal is the record still, so what was held is sent.
    func writeFailed() {
        outbox.withLock { $0.writing = false }
        queueSend()
        writer.sync {}
    }

    private func handOff() {
        let batch = pending.withLock { pending in
            pending.lastHandOff = MonotonicClock.seconds()
            pending.timerSet = false
            let batch = pending.entries
            pending.entries.removeAll(keepingCapacity: true)
            return batch
        }
        guard !batch.isEmpty else { return }
        outbox.withLock { $0.entries += batch }
        queueSend()
    }

    private func queueSend() {
        let queue = outbox.withLock { outbox in
            let queue = !outbox.sendQueued && !outbox.entries.isEmpty
            if queue { outbox.sendQueued = true }
            return queue
        }
        guard queue else { return }
        writer.async { [self] in send() }
    }

    /// On the writer thread: sends the whole outbox as one COPY.
    private func send() {
        let taken: (entries: [Journal.Entry], firstSeq: Int)? = outbox.withLock { outbox in
            outbox.sendQueued = false
            guard !outbox.writing, !outbox.superseded, outbox.failure == nil, !outbox.entries.isEmpty else { return nil }
            let taken = (outbox.entries, outbox.firstSeq)
            outbox.firstSeq += outbox.entries.count
            outbox.entries.removeAll(keepingCapacity: true)
            return taken
        }
        guard let (batch, firstSeq) = taken else { return }
        var data: [UInt8] = []
        data.reserveCapacity(batch.count * 700)
        for (offset, entry) in batch.enumerated() {
            var json: [UInt8] = []
            entry.json.write(into: &json)
            data += workspace
            data.append(0x09)
            data += String(firstSeq + offset).utf8
            data.append(0x09)
            data += version
            data.append(0x09)
            data += Journal.lineChecksum(json[...]).utf8
            data.append(0x09)
            data += Self.escaped(json)
            data.append(0x0A)
        }
        do throws(PostgresConnection.Failure) {
            // Checked again with the connection held: a state write that committed meanwhile
            // has deleted the rows before these, and these must not follow them.
            try connection.withTurn { () throws(PostgresConnection.Failure) in
                guard !outbox.withLock({ $0.superseded }) else { return }
                try connection.copy(copyStatement, data: data)
            }
        } catch {
            let lost = error.connectionLost ? "the connection to PostgreSQL was lost, and with it the lock: " : ""
            outbox.withLock { $0.failure = JournalFailure(message: "cannot write the journal: \(lost)\(error.message)") }
        }
    }

    /// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
    private static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            switch byte {
            case 0x5C: output += [0x5C, 0x5C]
            case 0x09: output += [0x5C, UInt8(ascii: "t")]
            case 0x0A: output += [0x5C, UInt8(ascii: "n")]
            case 0x0D: output += [0x5C, UInt8(ascii: "r")]
            default: output.append(byte)
            }
        }
        return output
    }
}
