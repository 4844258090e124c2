import CSQLite

/// A store failure that renders itself for people: what happened, to which file, and what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The whole message, e.g. `cannot open the database "/var/lib/switchyard/store.sqlite": … Check that …`.
    public let message: String
    /// The SQLite failure underneath, when there was one.
    public let sqlite: SQLiteError?

    /// An error with a complete message.
    public init(_ message: String, sqlite: SQLiteError? = nil) {
        self.message = message
        self.sqlite = sqlite
    }

    /// The message, as it should appear in logs and error responses.
    public var description: String { message }

    /// The store (or the part of it asked) was closed already.
    static func closed(_ what: String) -> StoreError {
        StoreError("\(what): the store is closed")
    }

    /// A stored row that cannot be read back into its type: the file was edited by hand or is damaged.
    static func badRow(_ table: String, _ key: String, _ problem: String) -> StoreError {
        StoreError("\(table) row \"\(key)\" cannot be read: \(problem)")
    }

    /// Opening, configuring or migrating the file at `path` failed; the advice depends on why.
    static func cannotOpen(_ path: String, because cause: any Error) -> StoreError {
        let sqlite = cause as? SQLiteError
        let advice: String
        switch sqlite?.code {
        case .some(SQLITE_NOTADB), .some(SQLITE_CORRUPT):
            advice =
                "The file is not a SQLite database or is damaged. Move it aside (a new one is created on the next "
                + "start) or choose another database path."
        case .some(SQLITE_READONLY), .some(SQLITE_PERM):
            advice =
                "The file is read-only for this user. Make it and its directory writable, or choose another "
                + "database path."
        case .some(SQLITE_BUSY), .some(SQLITE_LOCKED):
            advice =
                "Another process holds a lock on it for too long. Stop the other process (another Switchyard?) "
                + "or choose another database path."
        case .some(SQLITE_FULL):
            advice = "The disk is full. Free some space or choose another database path."
        case .some:
            advice =
                "Check that the directory exists and this user can create and write files there, or choose "
                + "another database path."
        case nil where cause is SchemaTooNew:
            advice = "Run the newer Switchyard, or choose another database path."
        case nil:
            advice = "Check that the directory can be created and written by this user, or choose another database path."
        }
        return StoreError("cannot open the database \"\(path)\": \(cause). \(advice)", sqlite: sqlite)
    }
}
