import FuzzSupport
import TresorState
import TresorSupport

@testable import TresorPostgres

/// Rows of the PostgreSQL backend's tables, decoded as `PostgresBackend.load` and `unlock`
/// decode libpq's results, without a server. The first byte picks what the rest is:
/// - `s`: the `states` row: its first line is the serial column, the rest the data column's
///   bytes (a binary result). When the data does not start with `{`, it is the part the checksum
///   covers, given the header and checksum tresor writes (as in the `state` target).
/// - `j`: `journal` rows, one a line, columns `seq, lineage, serial, checksum, entry` split by
///   tabs, `\N` for NULL; a checksum column `-` is replaced by the entry's checksum.
/// - `l`: the `locks` row, in the same text form (`id, operation, holder, host, pid, created`).
/// - anything else: a `states` row (first line up to a tab: the serial column, the rest after the
///   tab: the data) followed by `journal` rows after a line `\.`, loaded together.
/// A state that decodes encodes and decodes to itself; a load (state and journal replayed)
/// either is refused with TR604 or gives a state that loads again and can be planned from; a
/// lock record renders in TR603.
func fuzzPostgres(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (mode, rest) = Fuzz.partAndRest(data, size) else { return 0 }
    let backend = PostgresBackend(settings: PostgresSettings(connection: "", schema: "tresor", workspace: "fuzz"))
    switch mode {
    case UInt8(ascii: "s"):
        let newline = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
        load(
            backend, state: FuzzRows.stateRow(serial: rest[..<newline], data: rest[newline...].dropFirst()),
            journal: FuzzRows(text: [UInt8]()))
    case UInt8(ascii: "j"):
        load(backend, state: FuzzRows(text: [UInt8]()), journal: FuzzRows(text: rest))
    case UInt8(ascii: "l"):
        if let record = PostgresBackend.record(FuzzRows(text: rest)) {
            let diagnostic = backend.lockedDiagnostic(record).diagnostic
            Fuzz.expect(diagnostic.code == "TR603" && diagnostic.message.contains(record.summary), "a lock record is reported in TR603")
        }
    default:
        let marker = Array("\n\\.\n".utf8)
        let split = rest.firstRange(of: marker)
        let stateLine = rest[..<(split?.lowerBound ?? rest.endIndex)]
        let tab = stateLine.firstIndex(of: UInt8(ascii: "\t")) ?? stateLine.endIndex
        let journal = rest[(split?.upperBound ?? rest.endIndex)...]
        load(
            backend, state: FuzzRows.stateRow(serial: stateLine[..<tab], data: stateLine[tab...].dropFirst()),
            journal: FuzzRows(text: journal))
    }
    return 0
}

/// What `load` does with the two results; what it accepts must load again.
func load(_ backend: PostgresBackend, state stateRows: FuzzRows, journal journalRows: FuzzRows) {
    let loaded: LoadedState
    do {
        let state = try backend.storedState(stateRows)
        if stateRows.count == 1 {
            Fuzz.expectLoadsAgain(state, "a stored state read")
        }
        loaded = try backend.loaded(state, journal: try backend.storedJournal(journalRows))
    } catch {
        Fuzz.expect(error.diagnostic.code == "TR604", "a stored state or journal that cannot be used is TR604")
        return
    }
    Fuzz.expectLoadsAgain(loaded.state, "a loaded state")
    Fuzz.planAndRecord(against: loaded.state, "a loaded state")
}

/// Rows as libpq gives them: text values end at their first NUL byte, as C strings do, and
/// byte values live as long as the rows (freed with them, so AddressSanitizer sees a use after).
final class FuzzRows: PostgresRows {
    private let values: [[UnsafeMutableBufferPointer<UInt8>?]]

    init(rows: [[[UInt8]?]]) {
        values = rows.map { row in
            row.map { value in
                value.map { bytes in
                    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
                    _ = buffer.initialize(from: bytes)
                    return buffer
                }
            }
        }
    }

    /// Lines of tab-separated columns, `\N` for NULL; a checksum column (the fourth of five) `-`
    /// gets the checksum of the fifth as the backend reads it.
    convenience init(text: some Collection<UInt8>) {
        self.init(
            rows: text.split(separator: UInt8(ascii: "\n")).map { line in
                var columns: [[UInt8]?] = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                    .map { $0.elementsEqual("\\N".utf8) ? nil : Array($0) }
                if columns.count == 5, columns[3] == Array("-".utf8), let entry = columns[4] {
                    let read = Array(String(decoding: entry.prefix { $0 != 0 }, as: UTF8.self).utf8)
                    columns[3] = Array(Journal.lineChecksum(read[...]).utf8)
                }
                return columns
            })
    }

    deinit {
        for row in values { for value in row { value?.deallocate() } }
    }

    /// The `states` row: its serial column and its data.
    static func stateRow(serial: some Collection<UInt8>, data: some Collection<UInt8>) -> FuzzRows {
        let bytes =
            data.first == UInt8(ascii: "{")
            ? Array(data)
            : Array("{\n  \"formatVersion\": 1,\n  \"checksum\": \"xxh64:\(XXH64.hex(data))\",\n".utf8) + data
        return FuzzRows(rows: [[Array(serial), bytes]])
    }

    var count: Int { values.count }

    func text(_ row: Int, _ column: Int) -> String? {
        guard column < values[row].count, let value = values[row][column] else { return nil }
        return String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard column < values[row].count, let value = values[row][column] else { return nil }
        return UnsafeBufferPointer(value)
    }
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzPostgres)
