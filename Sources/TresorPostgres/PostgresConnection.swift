#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection, used by one thread at a time: the applying thread and the journal's
/// writer take turns, a statement or a whole transaction (`withTurn`) at a time, so no statement
/// of one ever runs inside the other's transaction. Every statement is parameterised: values
/// travel apart from the SQL text, so nothing a manifest or a state holds is parsed as SQL.
final class PostgresConnection: @unchecked Sendable {
    struct Failure: Error, Sendable {
        var message: String
        /// The SQLSTATE code, when the server answered with one.
        var sqlState: String?
        /// Whether the connection is gone (the server ended it, or the network did).
        var connectionLost: Bool
    }

    /// A statement parameter: text, or bytes sent as they are (bytea in binary format).
    enum Parameter {
        case text(String)
        case bytes([UInt8])
    }

    private let pq: LibPQ
    private let connection: LibPQ.Connection
    /// Recursive: a transaction holds the turn across the statements that take it again.
    private let turn: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        return mutex
    }()
    /// Where the connection goes, without any password: "host 127.0.0.1 port 5432 database tresor as tresor".
    let target: String

    /// Connects with a conninfo string or URI (`TRESOR_PG_CONN`); empty uses libpq's `PG*`
    /// variables and defaults.
    static func open(_ conninfo: String) -> Result<PostgresConnection, Failure> {
        let pq: LibPQ
        switch LibPQ.shared {
        case .success(let library): pq = library
        case .failure(let failure): return .failure(Failure(message: failure.message, sqlState: nil, connectionLost: true))
        }
        // `dbname` is expanded as a conninfo string or URI; libpq ignores an empty value.
        let keywords = ["fallback_application_name", "dbname"]
        let values = ["tresor", conninfo]
        let connection = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in pq.connectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let connection else {
            return .failure(Failure(message: "out of memory while connecting to PostgreSQL", sqlState: nil, connectionLost: true))
        }
        let target = describe(connection, pq)
        guard pq.status(connection) == LibPQ.connectionOK else {
            let reason = pq.errorMessage(connection).map { String(cString: $0) } ?? "unknown error"
            pq.finish(connection)
            // libpq quotes pieces of a conninfo it cannot parse, which may be the password.
            var message = "cannot connect to PostgreSQL (\(target)): \(trimmed(reason))"
            for secret in passwords(in: conninfo) { message = message.replacing(secret, with: "***") }
            return .failure(Failure(message: message, sqlState: nil, connectionLost: true))
        }
        let opened = PostgresConnection(pq: pq, connection: connection, target: target)
        do {
            // NOTICEs ("relation already exists, skipping") would go to standard error.
            _ = try opened.execute("SET client_min_messages TO warning")
        } catch {
            return .failure(error)
        }
        return .success(opened)
    }

    private init(pq: LibPQ, connection: LibPQ.Connection, target: String) {
        self.pq = pq
        self.connection = connection
        self.target = target
    }

    deinit {
        pq.finish(connection)
        pthread_mutex_destroy(turn)
        turn.deallocate()
    }

    /// Runs `body` with the connection to itself.
    func withTurn<T>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        pthread_mutex_lock(turn)
        defer { pthread_mutex_unlock(turn) }
        return try body()
    }

    /// Runs one statement; its rows, or the server's error.
    @discardableResult
    func execute(_ sql: String, _ parameters: [Parameter] = [], binaryResult: Bool = false) throws(Failure) -> Rows {
        pthread_mutex_lock(turn)
        let result: LibPQ.Result? = withParameters(parameters[...], values: [], lengths: [], formats: []) { values, lengths, formats in
            values.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        pq.execParams(
                            connection, sql, Int32(parameters.count), nil, values.baseAddress, lengths.baseAddress,
                            formats.baseAddress, binaryResult ? 1 : 0)
                    }
                }
            }
        }
        pthread_mutex_unlock(turn)
        let status = pq.resultStatus(result)
        guard status == LibPQ.commandOK || status == LibPQ.tuplesOK else { throw failure(result) }
        return Rows(pq: pq, result: result)
    }

    /// `COPY … FROM STDIN` with `data` in COPY's text format, as one statement.
    func copy(_ sql: String, data: [UInt8]) throws(Failure) {
        let outcome: Failure? = { () -> Failure? in
            pthread_mutex_lock(turn)
            defer { pthread_mutex_unlock(turn) }
            let started = pq.execParams(connection, sql, 0, nil, nil, nil, nil, 0)
            guard pq.resultStatus(started) == LibPQ.copyIn else { return failure(started) }
            pq.clear(started)
            let sent = data.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    pq.putCopyData(connection, $0, Int32(bytes.count))
                }
            }
            let ended = sent == 1 ? pq.putCopyEnd(connection, nil) : -1
            // The copy's result, then nil; read both so the connection is ready for the next statement.
            var problem: Failure? = ended == 1 ? nil : failure(nil)
            while let result = pq.getResult(connection) {
                if problem == nil, pq.resultStatus(result) != LibPQ.commandOK { problem = failure(result) } else { pq.clear(result) }
            }
            return problem
        }()
        if let outcome { throw outcome }
    }

    /// Runs `body` in a transaction, committed when it returns and rolled back when it throws.
    func transaction<T>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        try withTurn { () throws(Failure) -> T in
            try execute("BEGIN")
            do throws(Failure) {
                let value = try body()
                try execute("COMMIT")
                return value
            } catch {
                _ = try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one statement without waiting for the server to flush it to disk: for lock
    /// records, which need no durability (a server that crashes ends the sessions, and with them
    /// the advisory locks the records describe). Saves a disk flush per plan and apply.
    func executeUnsynced(_ sql: String, _ parameters: [Parameter]) throws(Failure) {
        try transaction { () throws(Failure) in
            try execute("SET LOCAL synchronous_commit TO off")
            try execute(sql, parameters)
        }
    }

    /// The failure a result (nil: the connection) reports; clears the result.
    private func failure(_ result: LibPQ.Result?) -> Failure {
        defer { pq.clear(result) }
        let lost = pq.status(connection) != LibPQ.connectionOK
        let message =
            result.flatMap { pq.resultErrorMessage($0) }.map { String(cString: $0) }
            .flatMap { $0.isEmpty ? nil : $0 } ?? pq.errorMessage(connection).map { String(cString: $0) } ?? "unknown error"
        let sqlState = result.flatMap { pq.resultErrorField($0, LibPQ.sqlStateField) }.map { String(cString: $0) }
        let lostSession = lost || sqlState.map { $0.hasPrefix("57P") || $0.hasPrefix("08") } == true
        return Failure(message: Self.trimmed(message), sqlState: sqlState, connectionLost: lostSession)
    }

    /// A statement's rows; the result is freed with this.
    final class Rows: PostgresRows {
        private let pq: LibPQ
        private let result: LibPQ.Result?

        fileprivate init(pq: LibPQ, result: LibPQ.Result?) {
            self.pq = pq
            self.result = result
        }

        deinit { pq.clear(result) }

        var count: Int { Int(pq.ntuples(result)) }

        func isNull(_ row: Int, _ column: Int) -> Bool { pq.getisnull(result, Int32(row), Int32(column)) == 1 }

        func text(_ row: Int, _ column: Int) -> String? {
            guard !isNull(row, column), let value = pq.getvalue(result, Int32(row), Int32(column)) else { return nil }
            return String(cString: value)
        }

        /// The value's bytes, valid while these rows live: a binary result's bytea without a copy.
        func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
            guard !isNull(row, column), let value = pq.getvalue(result, Int32(row), Int32(column)) else { return nil }
            let count = Int(pq.getlength(result, Int32(row), Int32(column)))
            return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: count)
        }
    }

    /// host, port, database and user, never the password.
    private static func describe(_ connection: LibPQ.Connection, _ pq: LibPQ) -> String {
        func value(_ read: (LibPQ.Connection?) -> UnsafeMutablePointer<CChar>?) -> String {
            read(connection).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "?"
        }
        return "host \(value(pq.host)) port \(value(pq.port)) database \(value(pq.db)) as \(value(pq.user))"
    }

    /// The passwords a conninfo string or URI holds: `password=…` (quoted or not), a URI's
    /// `user:password@` and its `?password=…`, as written.
    static func passwords(in conninfo: String) -> [String] {
        var found: [String] = []
        if let scheme = conninfo.firstRange(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                found.append(String(authority[authority.index(after: colon)..<at]))
            }
            if let query = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: query)...].split(separator: "&") where pair.hasPrefix("password=") {
                    found.append(String(pair.dropFirst("password=".count)))
                }
            }
        } else {
            var text = Substring(conninfo)
            while let keyword = text.firstRange(of: "password") {
                text = text[keyword.upperBound...].drop { $0 == " " }
                guard text.first == "=" else { continue }
                text = text.dropFirst().drop { $0 == " " }
                var value = ""
                if text.first == "'" {
                    text = text.dropFirst()
                    while let character = text.first, character != "'" {
                        if character == "\\", text.count > 1 { text = text.dropFirst() }
                        value.append(text.first!)
                        text = text.dropFirst()
                    }
                } else {
                    value = String(text.prefix { !$0.isWhitespace })
                }
                found.append(value)
            }
        }
        return found.filter { !$0.isEmpty }
    }

    /// libpq's multi-line, tab-indented messages as one line.
    private static func trimmed(_ message: String) -> String {
        message.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// Text parameters need their terminating NUL; bytes are sent with their length, unterminated.
private func withParameters<R>(
    _ rest: ArraySlice<PostgresConnection.Parameter>, values: [UnsafePointer<CChar>?], lengths: [Int32],
    formats: [Int32], _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> R
) -> R {
    guard let first = rest.first else { return body(values, lengths, formats) }
    switch first {
    case .text(let text):
        return text.withCString { pointer in
            withParameters(rest.dropFirst(), values: values + [pointer], lengths: lengths + [0], formats: formats + [0], body)
        }
    case .bytes(let bytes) where bytes.isEmpty:
        return "".withCString { pointer in
            withParameters(rest.dropFirst(), values: values + [pointer], lengths: lengths + [0], formats: formats + [1], body)
        }
    case .bytes(let bytes):
        return bytes.withUnsafeBufferPointer { buffer in
            let pointer = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            return withParameters(
                rest.dropFirst(), values: values + [pointer], lengths: lengths + [Int32(buffer.count)],
                formats: formats + [1], body)
        }
    }
}

/// C strings for libpq's keyword and value arrays, ended by NULL.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    func nest(_ index: Int, _ pointers: [UnsafePointer<CChar>?]) -> R {
        guard index < strings.count else { return (pointers + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) } }
        return strings[index].withCString { nest(index + 1, pointers + [$0]) }
    }
    return nest(0, [])
}

/// A result's rows as the backend decodes them: text columns, or a binary result's bytes. The
/// backend gets libpq's (`PostgresConnection.Rows`); its decoding reads rows only through this,
/// so that they can be decoded without a server (the `postgres` fuzz target).
protocol PostgresRows {
    var count: Int { get }
    /// The value as text; nil when it is NULL.
    func text(_ row: Int, _ column: Int) -> String?
    /// The value's bytes, valid while the rows live; nil when it is NULL.
    func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>?
}
