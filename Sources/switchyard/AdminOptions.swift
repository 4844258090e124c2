import ArgumentParser
import Gateway
import JSON
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Options of the commands that work on the database directly (`keys …`, `usage`): where the database is.
struct AdminOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Routing settings file, read for its \"database\" path (default: $SWITCHYARD_CONFIG, else ./switchyard.json if present; without one the database is $SWITCHYARD_DATABASE, else ~/.local/share/switchyard/switchyard.db)."
    )
    var config: String?

    @Option(name: .long, help: "The database file; overrides the settings.")
    var database: String?

    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The offline admin on the chosen database; fails with the settings file's problem when it is invalid, and —
    /// for a command that only reads (`readOnly`) — when the database does not exist (a mistyped path would
    /// otherwise be created, empty, and report that nothing happened).
    func admin(readOnly: Bool = false) throws -> OfflineAdmin {
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let path = try databasePath()
        if readOnly, access(path, F_OK) != 0 {
            throw CommandFailure(
                "no database at \(path): nothing was recorded there yet, or --database/--config names the wrong file")
        }
        return OfflineAdmin(databasePath: path, logger: Logger(label: "switchyard"))
    }

    private func databasePath() throws -> String {
        if let database { return database }
        do {
            return try Gateway.loadRoutingSettings(explicitPath: config, environment: Environment.current()).databasePath
        } catch {
            throw CommandFailure("\(error). Or name the database with --database.")
        }
    }
}

/// A failure that is not about the command line's syntax: printed as `Error: …` without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints an offline operation's result: the API's JSON with `--json`, else the text for people.
func printOutput(_ output: AdminOutput, json: Bool) {
    print(json ? output.json.prettyString() : output.text)
}
