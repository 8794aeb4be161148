import TresorModel
import TresorState
import TresorSupport

/// State in PostgreSQL (SPEC §8), for teams and pipelines without a shared disk. Three tables in
/// the backend's schema, shared by every workspace, created on first use:
///
///     states   workspace, serial, data   the state file's bytes (StateFile, checksum included)
///     journal  workspace, seq, lineage, serial, checksum, entry
///                                        an apply's actions since the state was last written
///     locks    workspace, id, operation, holder, host, pid, created, backend_pid
///                                        who holds the workspace's lock, for TR603
///
/// The lock is a session-level advisory lock on a key derived from schema and workspace, held
/// by the command's one connection: PostgreSQL releases it when the process or the connection
/// dies, so a killed run never blocks the next. Its row in `locks` only says who holds it, and
/// is believed only while that session really holds the advisory lock. A state write is one
/// transaction that updates the row only if its serial is still the one read (compare and swap)
/// and clears the journal. Journal rows follow the local journal's rules (`Journal.replay`).
public final class PostgresBackend: StateBackend, @unchecked Sendable {
    public let settings: PostgresSettings
    /// The command's connection, opened on first use and kept for the whole command: it holds the lock.
    private let session = Locked<PostgresConnection?>(nil)
    /// The journal of the apply in progress, told about the state write that supersedes it.
    private let activeJournal = Locked<PostgresJournal?>(nil)

    public init(settings: PostgresSettings) {
        self.settings = settings
    }

    public var description: String { "postgres workspace \"\(settings.workspace)\" in schema \"\(settings.schema)\"" }

    private var schema: String { "\"\(settings.schema)\"" }

    /// The advisory lock's key: the same for every run on this schema and workspace.
    var lockKey: Int64 { Int64(bitPattern: XXH64.hash(Array("tresor lock \(settings.schema)/\(settings.workspace)".utf8))) }

    /// The key that serialises creating the tables, whatever the workspace.
    private var schemaKey: Int64 { Int64(bitPattern: XXH64.hash(Array("tresor schema \(settings.schema)".utf8))) }

    // MARK: connection

    /// The connection, with the tables in place; TR604 when neither can be had.
    func connection() throws(FatalDiagnostic) -> PostgresConnection {
        let result: Result<PostgresConnection, FatalDiagnostic> = session.withLock { session in
            if let session { return .success(session) }
            if case .failure(let failure) = LibPQ.shared {
                return .failure(
                    FatalDiagnostic(
                        UnusableStateRule.diagnostic(
                            "\(failure.message); nothing was read or written", at: nil,
                            help: "install it (Debian and Ubuntu: `apt-get install libpq5`) or give its path in \(LibPQ.libraryVariable); "
                                + "only the postgres backend needs it")))
            }
            guard PostgresSettings.isValidIdentifier(settings.schema) else {
                return .failure(
                    FatalDiagnostic(
                        InputFileRule.diagnostic(
                            "postgres schema \"\(settings.schema)\" is not a plain identifier", at: nil,
                            help: "use lower-case letters, digits and underscores, not starting with a digit (at most 63)")))
            }
            switch PostgresConnection.open(settings.connection) {
            case .failure(let failure):
                return .failure(
                    FatalDiagnostic(
                        UnusableStateRule.diagnostic(
                            "\(failure.message); nothing was read or written", at: nil,
                            help: "set TRESOR_PG_CONN to a conninfo string or URI, or the PG* variables (PGHOST, PGDATABASE, PGUSER…); "
                                + "keep the password in ~/.pgpass or PGPASSWORD")))
            case .success(let connection):
                do throws(PostgresConnection.Failure) {
                    try createTables(connection)
                } catch {
                    return .failure(unavailable("cannot create the state tables in \(connection.target)", error))
                }
                session = connection
                return .success(connection)
            }
        }
        return try result.get()
    }

    /// CREATE … IF NOT EXISTS is not safe when two runs create the same table at once, so the
    /// creation is serialised by a transaction-level advisory lock. Nothing is created when the
    /// tables exist: a role that may only read and write them works too.
    private func createTables(_ connection: PostgresConnection) throws(PostgresConnection.Failure) {
        let present = try connection.execute(
            "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL",
            [.text("\(schema).states"), .text("\(schema).journal"), .text("\(schema).locks")])
        guard present.text(0, 0) != "t" else { return }
        try connection.transaction { () throws(PostgresConnection.Failure) in
            try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.text(String(schemaKey))])
            try connection.execute("CREATE SCHEMA IF NOT EXISTS \(schema)")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(schema).states (
                    workspace text PRIMARY KEY,
                    serial bigint NOT NULL,
                    data bytea)
                """)
            // lz4 turns the 57 MB of a 100,000-VM state into 3 MB to write and log for a tenth of
            // a second; PostgreSQL's default, pglz, took 2.7 s more per apply than no compression,
            // which is what a server built without lz4 gets.
            try connection.execute("SAVEPOINT compression")
            do {
                try connection.execute("ALTER TABLE \(schema).states ALTER COLUMN data SET COMPRESSION lz4")
            } catch {
                try connection.execute("ROLLBACK TO SAVEPOINT compression")
                try connection.execute("ALTER TABLE \(schema).states ALTER COLUMN data SET STORAGE EXTERNAL")
            }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(schema).journal (
                    workspace text NOT NULL,
                    seq bigint NOT NULL,
                    lineage text NOT NULL,
                    serial bigint NOT NULL,
                    checksum text NOT NULL,
                    entry text NOT NULL,
                    PRIMARY KEY (workspace, seq))
                """)
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS \(schema).locks (
                    workspace text PRIMARY KEY,
                    id text NOT NULL,
                    operation text NOT NULL,
                    holder text NOT NULL,
                    host text NOT NULL,
                    pid integer NOT NULL,
                    created text NOT NULL,
                    backend_pid integer NOT NULL)
                """)
        }
    }

    /// A failed statement as a diagnostic; a lost connection also lost the lock, so it says so.
    func unavailable(_ what: String, _ failure: PostgresConnection.Failure, help: String? = nil) -> FatalDiagnostic {
        let lost = failure.connectionLost ? " (the connection to PostgreSQL was lost, and with it the lock)" : ""
        return FatalDiagnostic(
            InputFileRule.diagnostic(
                "\(what): \(failure.message)\(lost)", at: nil,
                help: help ?? "nothing was written; run the command again"))
    }

    // MARK: load and write

    public func load() throws(FatalDiagnostic) -> LoadedState {
        let connection = try connection()
        do {
            // Binary results: the state's bytes arrive as they are and are decoded in place.
            let rows = try connection.execute(
                "SELECT serial::text, data FROM \(schema).states WHERE workspace = $1",
                [.text(settings.workspace)], binaryResult: true)
            let state = try storedState(rows)
            let journal = try storedJournal(
                connection.execute(
                    "SELECT seq::text, lineage, serial::text, checksum, entry FROM \(schema).journal WHERE workspace = $1 ORDER BY seq",
                    [.text(settings.workspace)]))
            return try loaded(state, journal: journal)
        } catch let failure as PostgresConnection.Failure {
            throw unavailable("cannot read \(description)", failure)
        } catch let diagnostic as FatalDiagnostic {
            throw diagnostic
        } catch {
            preconditionFailure("only the errors caught above are thrown")
        }
    }

    /// `state` with `journal` replayed; TR604 when the replay leaves a policy or protected item
    /// without its vault.
    func loaded(_ state: State, journal: Journal.Contents?) throws(FatalDiagnostic) -> LoadedState {
        var state = state
        do {
            let replayed = try Journal.replayForLoading(journal, onto: &state)
            return LoadedState(state: state, replayedActions: replayed, hasJournal: journal != nil)
        } catch {
            throw unusable("its journal, \(error.message)", fix: journalFix)
        }
    }

    /// The state in the `states` row (`serial::text, data`, a binary result): empty state when
    /// there is none; TR604 when its data is not a state or its serial column disagrees.
    func storedState(_ rows: some PostgresRows) throws(FatalDiagnostic) -> State {
        guard rows.count == 1, let bytes = rows.bytes(0, 1) else { return State() }
        let state: State
        do {
            state = try StateFile.decode(bytes)
        } catch {
            throw unusable("its stored state: \(error.message)", fix: stateFix)
        }
        let column = rows.text(0, 0) ?? ""
        guard column == String(state.serial) else {
            throw unusable("its serial column says \(column) but the stored state is at serial \(state.serial)", fix: stateFix)
        }
        return state
    }

    /// The journal rows (`seq::text, lineage, serial::text, checksum, entry`, by seq), checked:
    /// each row's checksum covers its entry, and every row belongs to the same state version.
    /// nil when there are none.
    func storedJournal(_ rows: some PostgresRows) throws(FatalDiagnostic) -> Journal.Contents? {
        guard rows.count > 0 else { return nil }
        var contents: Journal.Contents?
        for row in 0..<rows.count {
            let seq = rows.text(row, 0) ?? "?"
            guard let lineage = rows.text(row, 1), let serial = rows.text(row, 2).flatMap({ Int($0) }),
                let checksum = rows.text(row, 3), let entry = rows.text(row, 4)
            else { throw unusable("its journal row \(seq) is incomplete", fix: journalFix) }
            let bytes = Array(entry.utf8)
            guard Journal.lineChecksum(bytes[...]) == checksum else {
                throw unusable("its journal row \(seq) is damaged (its checksum does not match)", fix: journalFix)
            }
            guard let json = try? JSONReader.parse(bytes) else {
                throw unusable("its journal row \(seq) is not an action record", fix: journalFix)
            }
            let action: Journal.Entry
            do {
                action = try Journal.action(json)
            } catch {
                throw unusable("its journal row \(seq) \(error.message)", fix: journalFix)
            }
            if contents == nil { contents = Journal.Contents(lineage: lineage, serial: serial, entries: []) }
            guard contents?.lineage == lineage, contents?.serial == serial else {
                throw unusable("its journal row \(seq) belongs to another state version than the rows before it", fix: journalFix)
            }
            contents?.entries.append(action)
        }
        return contents
    }

    /// TR604: what is stored cannot be used, and is left exactly as it is: tresor never writes
    /// over it, the fix is a person's.
    private func unusable(_ reason: String, fix: String) -> FatalDiagnostic {
        FatalDiagnostic(UnusableStateRule.diagnostic("cannot use \(description): \(reason); nothing was written", at: nil, help: fix))
    }

    /// The workspace as an SQL literal, for the fixes quoted in messages.
    private var workspaceLiteral: String { "'" + settings.workspace.replacing("'", with: "''") + "'" }

    private var stateFix: String {
        "delete the row (`DELETE FROM \(schema).states WHERE workspace = \(workspaceLiteral)`), then `tresor state push FILE` "
            + "with a good copy (an earlier `tresor state pull`, or a local state file)"
    }

    private var journalFix: String {
        "check which of the journal's actions were done, then delete its rows "
            + "(`DELETE FROM \(schema).journal WHERE workspace = \(workspaceLiteral)`) and plan again"
    }

    public func write(_ state: State, replacing serial: Int) throws(FatalDiagnostic) {
        let connection = try connection()
        // The journal's unsent rows wait: the write holds their actions, and clears the rows.
        let journal = activeJournal.withLock { $0 }
        journal?.holdForWrite()
        let bytes = StateFile.encode(state)
        let workspace = PostgresConnection.Parameter.text(settings.workspace)
        do {
            // The connection is held from the transaction to the journal's note that it committed,
            // so that no journal row is sent in between.
            let stored: Int? = try connection.withTurn { () throws(PostgresConnection.Failure) -> Int? in
                let stored = try connection.transaction { () throws(PostgresConnection.Failure) -> Int? in
                    if serial == 0 {
                        try connection.execute(
                            "INSERT INTO \(schema).states (workspace, serial) VALUES ($1, 0) ON CONFLICT (workspace) DO NOTHING",
                            [workspace])
                    }
                    let updated = try connection.execute(
                        "UPDATE \(schema).states SET serial = $2::bigint, data = $3 WHERE workspace = $1 AND serial = $4::bigint RETURNING 1",
                        [workspace, .text(String(state.serial)), .bytes(bytes), .text(String(serial))])
                    guard updated.count == 1 else {
                        let current = try connection.execute("SELECT serial::text FROM \(schema).states WHERE workspace = $1", [workspace])
                        return current.text(0, 0).flatMap { Int($0) } ?? 0
                    }
                    try connection.execute("DELETE FROM \(schema).journal WHERE workspace = $1", [workspace])
                    return nil
                }
                if stored == nil { journal?.writeCommitted() }
                return stored
            }
            if let stored {
                journal?.writeFailed()
                throw staleWriteDiagnostic(expected: serial, stored: stored)
            }
        } catch let failure as PostgresConnection.Failure {
            journal?.writeFailed()
            throw unavailable(
                "cannot write \(description)", failure,
                help: "the stored state and this apply's committed journal rows are kept; run apply again to record them")
        } catch let diagnostic as FatalDiagnostic {
            throw diagnostic
        } catch {
            preconditionFailure("only the errors caught above are thrown")
        }
        activeJournal.withLock { $0 = nil }
    }

    public func startJournal(lineage: String, serial: Int) throws(FatalDiagnostic) -> any JournalSink {
        let connection = try connection()
        do {
            try connection.execute("DELETE FROM \(schema).journal WHERE workspace = $1", [.text(settings.workspace)])
        } catch {
            throw unavailable("cannot start the apply journal in \(description)", error)
        }
        let journal = PostgresJournal(
            connection: connection, schema: schema, workspace: settings.workspace,
            lineage: lineage, serial: serial)
        activeJournal.withLock { $0 = journal }
        return journal
    }

    public func removeJournal() throws(FatalDiagnostic) {
        do {
            try connection().execute("DELETE FROM \(schema).journal WHERE workspace = $1", [.text(settings.workspace)])
        } catch let failure as PostgresConnection.Failure {
            throw unavailable("cannot remove the old journal of \(description)", failure)
        } catch let diagnostic as FatalDiagnostic {
            throw diagnostic
        } catch {
            preconditionFailure("only the errors caught above are thrown")
        }
    }

    // MARK: lock

    public func lock(operation: String, timeout: Double) throws(FatalDiagnostic) -> any StateLockHandle {
        let connection = try connection()
        let key = PostgresConnection.Parameter.text(String(lockKey))
        let wait = LockWait(timeout: timeout)
        do {
            while true {
                if try connection.execute("SELECT pg_try_advisory_lock($1::bigint)", [key]).text(0, 0) == "t" {
                    let record = LockRecord(operation: operation)
                    try connection.executeUnsynced(
                        """
                        INSERT INTO \(schema).locks (workspace, id, operation, holder, host, pid, created, backend_pid)
                        VALUES ($1, $2, $3, $4, $5, $6::integer, $7, pg_backend_pid())
                        ON CONFLICT (workspace) DO UPDATE SET id = EXCLUDED.id, operation = EXCLUDED.operation,
                            holder = EXCLUDED.holder, host = EXCLUDED.host, pid = EXCLUDED.pid, created = EXCLUDED.created,
                            backend_pid = EXCLUDED.backend_pid
                        """,
                        [
                            .text(settings.workspace), .text(record.id), .text(record.operation), .text(record.user),
                            .text(record.host), .text(String(record.pid)), .text(record.created)
                        ])
                    return PostgresLock(record: record, connection: connection, schema: schema, workspace: settings.workspace, key: lockKey)
                }
                guard wait.waitAgain() else { throw lockedDiagnostic(try holder(connection)) }
            }
        } catch let failure as PostgresConnection.Failure {
            throw unavailable("cannot lock \(description)", failure)
        } catch let diagnostic as FatalDiagnostic {
            throw diagnostic
        } catch {
            preconditionFailure("only the errors caught above are thrown")
        }
    }

    /// The recorded holder, if the session it names holds the advisory lock now; nil when the
    /// record is missing or stale (its holder died and the one holding the lock now has not
    /// recorded itself yet).
    private func holder(_ connection: PostgresConnection) throws(PostgresConnection.Failure) -> LockRecord? {
        let key = UInt64(bitPattern: lockKey)
        let rows = try connection.execute(
            """
            SELECT id, operation, holder, host, pid::text, created FROM \(schema).locks l
            WHERE workspace = $1 AND EXISTS (
                SELECT 1 FROM pg_locks p WHERE p.locktype = 'advisory' AND p.granted AND p.pid = l.backend_pid
                    AND p.classid = $2::oid AND p.objid = $3::oid AND p.objsubid = 1)
            """, [.text(settings.workspace), .text(String(key >> 32)), .text(String(key & 0xFFFF_FFFF))])
        return Self.record(rows)
    }

    /// The `locks` row (`id, operation, holder, host, pid::text, created`), if there is one whole.
    static func record(_ rows: some PostgresRows) -> LockRecord? {
        guard rows.count == 1, let id = rows.text(0, 0), let operation = rows.text(0, 1), let user = rows.text(0, 2),
            let host = rows.text(0, 3), let pid = rows.text(0, 4).flatMap({ Int($0) }), let created = rows.text(0, 5)
        else { return nil }
        return LockRecord(id: id, operation: operation, user: user, host: host, pid: pid, created: created)
    }

    public func unlock(id: String) -> UnlockOutcome {
        let connection: PostgresConnection
        do {
            connection = try self.connection()
        } catch {
            return .failed(error.diagnostic.message)
        }
        let workspace = PostgresConnection.Parameter.text(settings.workspace)
        let key = PostgresConnection.Parameter.text(String(lockKey))
        do {
            // Only a record whose holder is gone is removed: taking the lock proves it is.
            guard try connection.execute("SELECT pg_try_advisory_lock($1::bigint)", [key]).text(0, 0) == "t" else {
                return .heldByLiveProcess(try holder(connection))
            }
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1::bigint)", [key]) }
            let rows = try connection.execute(
                "SELECT id, operation, holder, host, pid::text, created FROM \(schema).locks WHERE workspace = $1",
                [workspace])
            guard let record = Self.record(rows) else { return .noLock }
            guard record.id.lowercased() == id.lowercased() else { return .otherLock(record) }
            try connection.execute("DELETE FROM \(schema).locks WHERE workspace = $1 AND id = $2", [workspace, .text(record.id)])
            return .removed(record)
        } catch {
            return .failed("cannot unlock \(description): \(error.message)")
        }
    }
}

/// The advisory lock a command holds, with its record.
final class PostgresLock: StateLockHandle {
    let record: LockRecord
    private let connection: PostgresConnection
    private let schema: String
    private let workspace: String
    private let key: Int64
    private var held = true

    init(record: LockRecord, connection: PostgresConnection, schema: String, workspace: String, key: Int64) {
        self.record = record
        self.connection = connection
        self.schema = schema
        self.workspace = workspace
        self.key = key
    }

    /// Removes the record and releases the lock. When the connection is gone, PostgreSQL has
    /// released the lock already and the record is stale, which the next holder overwrites.
    func release() {
        guard held else { return }
        held = false
        _ = try? connection.executeUnsynced(
            "DELETE FROM \(schema).locks WHERE workspace = $1 AND id = $2", [.text(workspace), .text(record.id)])
        _ = try? connection.execute("SELECT pg_advisory_unlock($1::bigint)", [.text(String(key))])
    }
}
