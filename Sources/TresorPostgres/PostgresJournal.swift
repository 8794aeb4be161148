import Dispatch
import Synchronization
import TresorCore

/// An apply's journal as rows of the `journal` table. Records are handed to a writer thread
/// `handOffSeconds` after the first of them at the latest (a timer hands off a batch that no
/// later record completes, as when the next change takes minutes); it sends each batch as one
/// COPY, which commits it. So a killed
/// run loses at most the last batch or so, as the local journal loses its unwritten tail (with
/// the recording provider those changes were then simply not done; a provider with effects
/// elsewhere sees them planned and done again, which converges). A failed COPY (the connection
/// is gone) is reported by the next `append`, which stops the apply.
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

    private struct Buffer {
        var pending: [Journal.Entry] = []
        var lastHandOff = MonotonicClock.seconds()
        var nextSeq = 1
        var handOffScheduled = false
    }

    private let buffer = Mutex(Buffer())
    /// The writer thread's first failure; whether a state write has made the journal moot.
    private let outcome = Mutex<(failure: JournalFailure?, superseded: Bool)>((nil, false))

    init(connection: PostgresConnection, schema: String, workspace: String, lineage: String, serial: Int) {
        self.connection = connection
        copyStatement = "COPY \(schema).journal (workspace, seq, lineage, serial, checksum, entry) FROM STDIN"
        self.workspace = Self.escaped(Array(workspace.utf8))
        version = Self.escaped(Array(lineage.utf8)) + [0x09] + Array(String(serial).utf8)
    }

    func append(_ entry: Journal.Entry) throws(JournalFailure) {
        let (due, schedule) = buffer.withLock { buffer in
            buffer.pending.append(entry)
            let due = MonotonicClock.seconds() - buffer.lastHandOff >= Self.handOffSeconds
            let schedule = !due && !buffer.handOffScheduled
            if schedule { buffer.handOffScheduled = true }
            return (due, schedule)
        }
        if schedule {
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.handOffSeconds) { [weak self] in self?.handOff() }
        }
        guard due else { return }
        if let failure = outcome.withLock({ $0.failure }) { throw failure }
        handOff()
    }

    func flush() throws(JournalFailure) {
        drain()
        if let failure = outcome.withLock({ $0.failure }) { throw failure }
    }

    func finish() throws(JournalFailure) {
        try flush()
    }

    /// Hands off what is pending and waits until the writer has sent it all.
    func drain() {
        handOff()
        writer.sync {}
    }

    /// The state now holds every action: rows still to be sent are not needed.
    func supersede() {
        outcome.withLock { $0.superseded = true }
    }

    private func handOff() {
        let (batch, firstSeq) = buffer.withLock { buffer in
            buffer.lastHandOff = MonotonicClock.seconds()
            buffer.handOffScheduled = false
            let batch = buffer.pending
            let first = buffer.nextSeq
            buffer.nextSeq += batch.count
            buffer.pending.removeAll(keepingCapacity: true)
            return (batch, first)
        }
        guard !batch.isEmpty else { return }
        writer.async { [self] in
            guard outcome.withLock({ $0.failure == nil && !$0.superseded }) else { return }
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
                try connection.copy(copyStatement, data: data)
            } catch {
                let lost = error.connectionLost ? "the connection to PostgreSQL was lost, and with it the lock: " : ""
                outcome.withLock { $0.failure = JournalFailure(message: "cannot write the journal: \(lost)\(error.message)") }
            }
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
