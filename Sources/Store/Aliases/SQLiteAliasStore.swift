import FoundationEssentials
import JSON
import Loop
import Routing

/// Aliases changed at run time, kept in the `aliases` table as the JSON `AliasDefinition.json` writes.
///
/// Loop-confined. `loadAliases` runs at startup, synchronously, on the loop thread's own connection (the one
/// that migrated the file, before the loop runs); saves and deletes run on the worker and report on the loop.
public final class SQLiteAliasStore: AliasStore {
    private let loop: EventLoop
    private let worker: StoreWorker
    /// The loop thread's startup connection, owned by `Store`; nil once the store is closed.
    var startupDatabase: SQLiteDatabase?

    init(loop: EventLoop, worker: StoreWorker, startupDatabase: SQLiteDatabase) {
        self.loop = loop
        self.worker = worker
        self.startupDatabase = startupDatabase
    }

    static let selectSQL = "SELECT name, definition FROM aliases ORDER BY updated_at, rowid"
    /// An upsert keeps the row (and its rowid) but moves `updated_at`, so a re-saved alias sorts as saved last.
    static let upsertSQL = """
        INSERT INTO aliases (name, definition, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
        """
    static let deleteSQL = "DELETE FROM aliases WHERE name = ?1"

    /// Every saved alias, oldest save first. Synchronous SQL on the calling (loop) thread: call it at startup,
    /// before the loop serves requests. A row that no longer parses fails the load with its name and the reason.
    public func loadAliases() throws -> [AliasDefinition] {
        loop.assertInLoop()
        guard let database = startupDatabase else { throw StoreError.closed("loading aliases") }
        return try Self.aliases(in: database)
    }

    /// Every saved alias, read on the worker (another process may have saved or deleted some).
    public func reloadAliases(completion: @escaping (Result<[AliasDefinition], Error>) -> Void) {
        loop.assertInLoop()
        worker.submit({ database in try Self.aliases(in: database) }, completion: completion)
    }

    private static func aliases(in database: SQLiteDatabase) throws -> [AliasDefinition] {
        let statement = try database.prepare(Self.selectSQL)
        var aliases: [AliasDefinition] = []
        while try statement.step() {
            let name = statement.text(0) ?? ""
            let text = statement.text(1) ?? ""
            let json: JSON
            do {
                json = try JSON.parse(text)
            } catch {
                throw StoreError.badRow("aliases", name, "definition is not JSON: \(error)")
            }
            do {
                aliases.append(try AliasDefinition(name: name, json: json, path: "aliases[\(name)]"))
            } catch {
                throw StoreError.badRow("aliases", name, "\(error)")
            }
        }
        return aliases
    }

    /// Saves (or replaces) `alias`; `completion` runs on the loop with nil once it is committed.
    public func saveAlias(_ alias: AliasDefinition, completion: @escaping (Error?) -> Void) {
        let name = alias.name
        let definition = alias.json.jsonString
        // Read when the save is asked (not when the worker runs it), so the time follows the caller's order of saves.
        let savedAt = Date().timeIntervalSince1970
        worker.submit(
            { database in
                let statement = try database.cachedStatement(Self.upsertSQL)
                statement.reset()
                try statement.bind(name, at: 1)
                try statement.bind(definition, at: 2)
                try statement.bind(savedAt, at: 3)
                try statement.execute()
            }, completion: { result in completion(Self.error(of: result)) })
    }

    /// Deletes the saved alias `name`; deleting one that is not saved is not an error (the caller may be removing
    /// an alias that only exists in the settings file). `completion` runs on the loop.
    public func deleteAlias(named name: String, completion: @escaping (Error?) -> Void) {
        worker.submit(
            { database in
                let statement = try database.cachedStatement(Self.deleteSQL)
                statement.reset()
                try statement.bind(name, at: 1)
                try statement.execute()
            }, completion: { result in completion(Self.error(of: result)) })
    }

    private static func error(of result: Result<Void, any Error>) -> Error? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
