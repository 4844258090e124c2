import CSQLite

/// A failed SQLite call: the result code, SQLite's own message (`sqlite3_errmsg`) and the SQL that was running.
///
/// This is the one conversion point from SQLite result codes (DESIGN.md §3, "one conversion helper per C library").
/// Codes that can only mean our bug (`SQLITE_MISUSE`, `SQLITE_RANGE` from a bind) are preconditions instead.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CANTOPEN`, …): the low byte of `extendedCode`.
    public let code: Int32
    /// The extended result code (e.g. `SQLITE_IOERR_WRITE`), which says more about I/O errors.
    public let extendedCode: Int32
    /// SQLite's message for the failure, e.g. `no such table: usage`.
    public let message: String
    /// The statement that failed, or what was being done when there was no statement (`open …`).
    public let sql: String

    /// Builds an error from a code and message; `message` defaults to SQLite's English text for the code.
    public init(code: Int32, message: String? = nil, sql: String) {
        self.extendedCode = code
        self.code = code & 0xff
        self.message = message ?? String(cString: sqlite3_errstr(code))
        self.sql = sql
    }

    /// Reads the message of the last failure on `connection` (valid only right after the failing call).
    init(code: Int32, connection: OpaquePointer?, sql: String) {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) }
        self.init(code: code, message: message, sql: sql)
    }

    /// The symbolic name of `code`, for logs and messages people search for.
    public var codeName: String {
        switch code {
        case SQLITE_ERROR: "SQLITE_ERROR"
        case SQLITE_INTERNAL: "SQLITE_INTERNAL"
        case SQLITE_PERM: "SQLITE_PERM"
        case SQLITE_ABORT: "SQLITE_ABORT"
        case SQLITE_BUSY: "SQLITE_BUSY"
        case SQLITE_LOCKED: "SQLITE_LOCKED"
        case SQLITE_NOMEM: "SQLITE_NOMEM"
        case SQLITE_READONLY: "SQLITE_READONLY"
        case SQLITE_INTERRUPT: "SQLITE_INTERRUPT"
        case SQLITE_IOERR: "SQLITE_IOERR"
        case SQLITE_CORRUPT: "SQLITE_CORRUPT"
        case SQLITE_FULL: "SQLITE_FULL"
        case SQLITE_CANTOPEN: "SQLITE_CANTOPEN"
        case SQLITE_PROTOCOL: "SQLITE_PROTOCOL"
        case SQLITE_SCHEMA: "SQLITE_SCHEMA"
        case SQLITE_TOOBIG: "SQLITE_TOOBIG"
        case SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT"
        case SQLITE_MISMATCH: "SQLITE_MISMATCH"
        case SQLITE_MISUSE: "SQLITE_MISUSE"
        case SQLITE_AUTH: "SQLITE_AUTH"
        case SQLITE_RANGE: "SQLITE_RANGE"
        case SQLITE_NOTADB: "SQLITE_NOTADB"
        default: "SQLite code \(code)"
        }
    }

    /// `message (CODE, extended N) in: sql`, everything needed to find the failing statement.
    public var description: String {
        let extended = extendedCode != code ? ", extended \(extendedCode)" : ""
        return "\(message) (\(codeName)\(extended)) in: \(sql)"
    }

    /// Throws unless `result` is `SQLITE_OK`.
    @inline(__always)
    static func check(_ result: Int32, _ connection: OpaquePointer?, _ sql: @autoclosure () -> String) throws(SQLiteError) {
        guard result != SQLITE_OK else { return }
        throw SQLiteError(code: result, connection: connection, sql: sql())
    }
}
