import CSQLite

/// One SQLite connection, owned by one thread for its whole life.
///
/// Opened with `SQLITE_OPEN_NOMUTEX` (the "multi-thread" mode, sqlite.org/threadsafe.html: "a single database
/// connection [must not be] used simultaneously in two or more threads"): we never share a connection, so SQLite's
/// per-connection mutex would only cost time. The store's worker thread has its own connection, and the loop
/// thread has one for startup work (migrations, loading aliases) only. Not `Sendable` on purpose.
///
/// Every connection is set up the same way: WAL journal (readers do not block the writer), `synchronous=NORMAL`
/// (durable at each checkpoint; a power cut can lose only the last transactions, never corrupt the file), a busy
/// timeout so two connections wait for each other's locks instead of failing, and foreign keys on.
public final class SQLiteDatabase {
    /// The file this connection opened.
    public let path: String
    /// The journal mode SQLite agreed to (`wal` on any local file system).
    public private(set) var journalMode = ""
    private var raw: OpaquePointer?
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens (creating when missing) the database file at `path` and configures the connection.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(SQLiteError) {
        self.path = path
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &connection, flags, nil)
        guard result == SQLITE_OK, let connection else {
            // "Whether or not an error occurs when it is opened, resources associated with the database connection
            // handle should be released by passing it to sqlite3_close()" (sqlite.org/c3ref/open.html).
            let error = SQLiteError(code: result, connection: connection, sql: "open \(path)")
            sqlite3_close_v2(connection)
            throw error
        }
        raw = connection
        do {
            try configure(connection, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            // The configure error is the one worth reporting; a close failure here would only repeat it.
            _ = closeConnection()
            throw error
        }
    }

    deinit {
        // Owners that care about the result call close(); this path only runs when an error is already being
        // thrown (a failed open) or for a connection closed before, so the result is intentionally not reported.
        _ = closeConnection()
    }

    private func configure(_ connection: OpaquePointer, busyTimeoutMilliseconds: Int32) throws(SQLiteError) {
        // Extended codes tell an I/O error's kind (e.g. SQLITE_IOERR_WRITE) in logs.
        try SQLiteError.check(sqlite3_extended_result_codes(connection, 1), connection, "sqlite3_extended_result_codes")
        try SQLiteError.check(sqlite3_busy_timeout(connection, busyTimeoutMilliseconds), connection, "sqlite3_busy_timeout")
        // READWRITE falls back to read-only when the OS refuses writes (sqlite.org/c3ref/open.html); we need to write.
        if sqlite3_db_readonly(connection, "main") == 1 {
            throw SQLiteError(code: SQLITE_READONLY, message: "the file is read-only", sql: "open \(path)")
        }
        // The first statement that reads the file: a file that is not a database fails here with SQLITE_NOTADB.
        journalMode = try scalarText("PRAGMA journal_mode = WAL") ?? ""
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    /// True until `close()`.
    public var isOpen: Bool { raw != nil }

    private var connection: OpaquePointer {
        guard let raw else { preconditionFailure("SQLite connection to \(path) used after close()") }
        return raw
    }

    /// Runs one or more statements separated by `;` that return no rows of interest (DDL, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(SQLiteError) {
        try SQLiteError.check(sqlite3_exec(connection, sql, nil, nil, nil), connection, sql)
    }

    /// Compiles `sql` into a new statement (use `cachedStatement` for statements run again and again).
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(connection: connection, sql: sql)
    }

    /// The statement for `sql`, compiled on first use and kept until the connection closes. Call `reset()` before
    /// binding; the same object comes back for the same text, so do not hold two uses of one SQL at once.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = cache[sql] { return statement }
        let statement = try prepare(sql)
        cache[sql] = statement
        return statement
    }

    /// The first column of the first row of `sql` as text (for pragmas and single-value queries).
    public func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.text(0) : nil
    }

    /// The first column of the first row of `sql` as an integer, nil when there is no row.
    public func scalarInt(_ sql: String) throws(SQLiteError) -> Int? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.int(0) : nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes(connection)) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    ///
    /// IMMEDIATE takes the write lock at the start, so a second writer waits in the busy handler instead of
    /// failing with SQLITE_BUSY half-way, when a deferred transaction tries to upgrade its read lock.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            // Some errors already rolled the transaction back (sqlite.org/lang_transaction.html, "Response To
            // Errors Within A Transaction"); only roll back what is still open.
            if sqlite3_get_autocommit(connection) == 0 {
                do {
                    try execute("ROLLBACK")
                } catch let rollback {
                    throw SQLiteError(
                        code: rollback.extendedCode,
                        message: "\(rollback.message) (rolling back after: \(error))", sql: "ROLLBACK")
                }
            }
            throw error
        }
    }

    /// Finalizes cached statements and closes the connection, reporting what SQLite reports. Safe to call twice.
    public func close() throws(SQLiteError) {
        if let failure = closeConnection() { throw failure }
    }

    private func closeConnection() -> SQLiteError? {
        guard let connection = raw else { return nil }
        for statement in cache.values { statement.finalize() }
        cache = [:]
        raw = nil
        // close_v2 turns the connection into a "zombie" until the last statement is finalized, so a statement
        // object that outlives us cannot touch freed memory.
        let result = sqlite3_close_v2(connection)
        guard result != SQLITE_OK else { return nil }
        return SQLiteError(code: result, sql: "close \(path)")
    }
}
