import FoundationEssentials
import JSON

/// Finds and reads the routing settings: the file named by `--config`, else by `SWITCHYARD_CONFIG`, else
/// `switchyard.json` in the working directory; with no file, providers come from the environment's usual key
/// variables. `SWITCHYARD_DEFAULT_MODEL` sets the default model either way. The format is in `docs/settings.md`.
///
/// Errors name the file and the field (`switchyard.json: providers.groq.kind: unknown kind "opena" …`), or the
/// environment variable they come from. No message ever holds the value of a key.
public enum SettingsLoader {
    /// The file looked for in the working directory.
    public static let defaultFileName = "switchyard.json"
    /// The database file used when settings name none.
    public static let defaultDatabaseName = "switchyard.db"

    /// Loads the settings. `environment` is both where keys are read and where `SWITCHYARD_CONFIG` and the
    /// discovery variables are looked up; `workingDirectory` anchors relative paths.
    public static func load(explicitPath: String?, environment: [String: String], workingDirectory: String)
        throws(SettingsError) -> RoutingSettings
    {
        var settings: RoutingSettings
        if let file = try locate(explicitPath: explicitPath, environment: environment, workingDirectory: workingDirectory) {
            let bytes: [UInt8]
            do {
                bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path)))
            } catch {
                throw SettingsError("\(file.name): cannot be read: \(FileErrorText.describe(error))")
            }
            settings = try parse(bytes, source: file.name, directory: file.directory, environment: environment)
        } else {
            settings = try fromEnvironment(environment, workingDirectory: workingDirectory)
        }
        if settings.adminKey == nil, let secret = environment["SWITCHYARD_ADMIN_KEY"], !secret.isEmpty {
            settings.adminKey = secret
        }
        return settings
    }

    /// Reads settings from the bytes of a file. `source` labels errors and becomes ``RoutingSettings/source``;
    /// `directory` anchors a relative `database`.
    public static func parse(_ bytes: [UInt8], source: String, directory: String, environment: [String: String])
        throws(SettingsError) -> RoutingSettings
    {
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw SettingsError("\(source): \(describe(error, in: bytes))")
        }
        // Discovery problems are about environment variables, not the file, so they are reported without its name.
        let discovered = root["providers"] == nil ? try EnvironmentProviders.discover(in: environment) : nil
        var settings: RoutingSettings
        do throws(SettingsError) {
            settings = try SettingsFile.read(root, discovered: discovered, directory: directory, environment: environment)
        } catch {
            throw SettingsError("\(source): \(error.message)")
        }
        settings.source = source
        try applyDefaultModelVariable(to: &settings, environment: environment)
        return settings
    }

    /// Where the database lives without a settings file: `$SWITCHYARD_DATABASE`, else the user's data directory
    /// (`$XDG_DATA_HOME/switchyard/switchyard.db`, `~/.local/share/switchyard/switchyard.db`) — never silently the
    /// working directory, which for `switchyard stdio` is whatever project an agent was started in.
    static func defaultDatabasePath(_ environment: [String: String], workingDirectory: String) -> String {
        if let explicit = environment["SWITCHYARD_DATABASE"], !explicit.isEmpty {
            return SettingsPaths.resolve(explicit, in: workingDirectory, home: environment["HOME"])
        }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/switchyard/" + defaultDatabaseName
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.local/share/switchyard/" + defaultDatabaseName
        }
        return SettingsPaths.resolve(defaultDatabaseName, in: workingDirectory, home: nil)
    }

    /// Settings with no file: providers discovered from the environment, everything else defaulted.
    public static func fromEnvironment(_ environment: [String: String], workingDirectory: String)
        throws(SettingsError) -> RoutingSettings
    {
        let providers = try EnvironmentProviders.discover(in: environment)
        var settings = RoutingSettings(
            providers: providers, databasePath: defaultDatabasePath(environment, workingDirectory: workingDirectory),
            source: "environment")
        if providers.isEmpty { settings.warnings.append(noProvidersWarning) }
        try applyDefaultModelVariable(to: &settings, environment: environment)
        return settings
    }

    static let noProvidersWarning =
        "no model providers are configured: set a key variable such as OPENAI_API_KEY, "
        + "ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY or GROQ_API_KEY (or OLLAMA_HOST), or list "
        + "\"providers\" in \(defaultFileName)"

    /// Where the settings file is, or `nil` when there is none to read.
    struct Location: Equatable {
        /// Absolute.
        var path: String
        /// As the user wrote it, for messages.
        var name: String
        /// The directory holding the file, absolute.
        var directory: String
    }

    static func locate(explicitPath: String?, environment: [String: String], workingDirectory: String)
        throws(SettingsError) -> Location?
    {
        var named: (path: String, origin: String)?
        if let explicitPath {
            named = (explicitPath, "--config")
        } else if let variable = environment["SWITCHYARD_CONFIG"], !variable.isEmpty {
            named = (variable, "SWITCHYARD_CONFIG")
        }
        let home = environment["HOME"]
        guard let named else {
            let path = SettingsPaths.resolve(defaultFileName, in: workingDirectory, home: home)
            guard SettingsPaths.isFile(path) else { return nil }
            return Location(path: path, name: defaultFileName, directory: SettingsPaths.directory(of: path))
        }
        guard !named.path.isEmpty else { throw SettingsError("\(named.origin): needs the path of a settings file") }
        let path = SettingsPaths.resolve(named.path, in: workingDirectory, home: home)
        // A file named on purpose that is missing is an error: silently falling back to the environment would run
        // the gateway with settings the user did not ask for.
        guard SettingsPaths.exists(path) else {
            throw SettingsError("\(named.path): settings file not found (named by \(named.origin))")
        }
        guard SettingsPaths.isFile(path) else {
            throw SettingsError("\(named.path): is a directory, not a settings file (named by \(named.origin))")
        }
        return Location(path: path, name: named.path, directory: SettingsPaths.directory(of: path))
    }

    private static func applyDefaultModelVariable(to settings: inout RoutingSettings, environment: [String: String])
        throws(SettingsError)
    {
        guard let value = environment["SWITCHYARD_DEFAULT_MODEL"], !value.isEmpty else { return }
        try SettingsFile.checkDefaultModel(
            value, field: "SWITCHYARD_DEFAULT_MODEL", providers: settings.providers,
            aliases: settings.aliases)
        settings.defaultModel = value
    }

    /// A parse error with the line and column a person can jump to, rather than a byte offset.
    static func describe(_ error: JSONParseError, in bytes: [UInt8]) -> String {
        var line = 1
        var column = 1
        for byte in bytes.prefix(max(0, min(error.offset, bytes.count))) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Count characters, not the continuation bytes of multi-byte UTF-8 sequences.
                column += 1
            }
        }
        return "invalid JSON at line \(line), column \(column): \(error.reason)"
    }
}
