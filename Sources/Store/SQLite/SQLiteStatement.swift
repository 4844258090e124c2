import CSQLite

/// A prepared statement on one `SQLiteDatabase`, used on that connection's thread only.
///
/// Parameters are numbered from 1 (`?1`, `?2`, … as SQLite numbers them); result columns from 0, as in the C API.
/// A statement is reused by calling `reset()` before binding again; `SQLiteDatabase.cachedStatement` hands out
/// the same statement for the same SQL so hot inserts are compiled once.
public final class SQLiteStatement {
    /// The SQL text, kept for error messages.
    public let sql: String
    private var raw: OpaquePointer?
    private let connection: OpaquePointer

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        self.connection = connection
        self.sql = sql
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            // On failure SQLite sets the out pointer to NULL, so there is nothing to finalize.
            throw SQLiteError(code: result, connection: connection, sql: sql)
        }
        raw = statement
    }

    deinit { finalize() }

    /// Frees the compiled statement; later use is a bug. Called by the connection before it closes.
    func finalize() {
        guard let raw else { return }
        // sqlite3_finalize returns the error of the last step, which that step already reported.
        sqlite3_finalize(raw)
        self.raw = nil
    }

    private var statement: OpaquePointer {
        guard let raw else { preconditionFailure("statement used after its connection closed: \(sql)") }
        return raw
    }

    // MARK: Binding

    /// Makes the statement ready to run again and clears every parameter to NULL.
    public func reset() {
        // sqlite3_reset repeats the error of the last step (docs: "returns an appropriate error code" from the
        // most recent step); that step already threw it, so the return value carries nothing new here.
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// Binds an integer to parameter `index` (1-based).
    public func bind(_ value: Int, at index: Int32) throws(SQLiteError) {
        try checkBind(sqlite3_bind_int64(statement, index, sqlite3_int64(value)), index)
    }

    /// Binds a double to parameter `index`. SQLite stores NaN as NULL.
    public func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try checkBind(sqlite3_bind_double(statement, index, value), index)
    }

    /// Binds text to parameter `index`; SQLite copies the bytes (`SQLITE_TRANSIENT`).
    public func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        // An explicit byte count keeps embedded NUL characters; withCString also guarantees a non-NULL pointer for
        // the empty string (a NULL pointer would bind SQL NULL instead of '').
        let count = Int32(value.utf8.count)
        let result = value.withCString { sy_sqlite3_bind_text_transient(statement, index, $0, count) }
        try checkBind(result, index)
    }

    /// Binds `value`, or NULL when it is nil.
    public func bind(_ value: Int?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds `value`, or NULL when it is nil.
    public func bind(_ value: Double?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds `value`, or NULL when it is nil.
    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds SQL NULL to parameter `index`.
    public func bindNull(at index: Int32) throws(SQLiteError) {
        try checkBind(sqlite3_bind_null(statement, index), index)
    }

    private func checkBind(_ result: Int32, _ index: Int32) throws(SQLiteError) {
        // A wrong index or a bind on a running statement is our bug; NOMEM and TOOBIG are real failures.
        precondition(result != SQLITE_RANGE, "parameter \(index) out of range in: \(sql)")
        precondition(result != SQLITE_MISUSE, "bind on a statement that was not reset: \(sql)")
        try SQLiteError.check(result, connection, sql)
    }

    // MARK: Running

    /// Runs one step: true when a row is ready to read, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(statement)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            precondition(result != SQLITE_MISUSE, "sqlite3_step misuse: \(sql)")
            throw SQLiteError(code: result, connection: connection, sql: sql)
        }
    }

    /// Runs a statement that returns no rows (INSERT, UPDATE, DELETE, DDL) to completion.
    public func execute() throws(SQLiteError) {
        while try step() {}
    }

    // MARK: Reading the current row

    /// Whether column `index` (0-based) of the current row is NULL.
    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// Column `index` as an integer (NULL reads as 0, as in SQLite).
    public func int(_ index: Int32) -> Int {
        Int(sqlite3_column_int64(statement, index))
    }

    /// Column `index` as an integer, nil when NULL.
    public func optionalInt(_ index: Int32) -> Int? {
        isNull(index) ? nil : int(index)
    }

    /// Column `index` as a double (NULL reads as 0, as in SQLite).
    public func double(_ index: Int32) -> Double {
        sqlite3_column_double(statement, index)
    }

    /// Column `index` as a double, nil when NULL.
    public func optionalDouble(_ index: Int32) -> Double? {
        isNull(index) ? nil : double(index)
    }

    /// Column `index` as text, nil when NULL.
    public func text(_ index: Int32) -> String? {
        // Order matters (sqlite.org/c3ref/column_blob.html): call column_text first, then column_bytes.
        guard let bytes = sqlite3_column_text(statement, index) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
