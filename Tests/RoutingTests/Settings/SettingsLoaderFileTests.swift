import Foundation
import XCTest

@testable import Routing

/// Finding and reading the settings file on disk.
final class SettingsLoaderFileTests: XCTestCase {
    private var directory: SettingsTempDirectory!

    override func setUpWithError() throws {
        directory = try SettingsTempDirectory()
    }

    override func tearDownWithError() throws {
        try directory.remove()
    }

    static let example = """
        {
          "providers": {
            "openai":    {"kind": "openai", "api_key_env": "OPENAI_API_KEY"},
            "groq":      {"kind": "openai", "base_url": "https://api.groq.com/openai/v1", "api_key_env": "GROQ_API_KEY"},
            "local":     {"kind": "openai", "base_url": "http://127.0.0.1:11434/v1"},
            "anthropic": {"kind": "anthropic", "api_key_env": "ANTHROPIC_API_KEY", "headers": {"anthropic-beta": "x"},
                          "timeouts": {"connect_ms": 5000, "first_byte_ms": 30000, "total_ms": 600000}}
          },
          "models": { "local/llama3.2": {"context_length": 131072, "pricing": {"input": 0, "output": 0}, "supports_tools": true} },
          "aliases": { "fast": {"strategy": "lowest_latency", "targets": ["groq/llama-3.1-8b-instant", "openai/gpt-4o-mini"]} },
          "default_model": "fast",
          "health": {"failure_threshold": 5, "cooldown_seconds": 30, "smoothing": 0.2},
          "database": "switchyard.db"
        }
        """

    private let keys = ["OPENAI_API_KEY": "sk-openai", "GROQ_API_KEY": "gsk-groq", "ANTHROPIC_API_KEY": "sk-ant"]

    func testTheDocumentedExampleLoadsFromTheWorkingDirectory() throws {
        try directory.write("switchyard.json", Self.example)
        let settings = try SettingsLoader.load(explicitPath: nil, environment: keys, workingDirectory: directory.path)
        XCTAssertEqual(settings.source, "switchyard.json")
        XCTAssertEqual(settings.warnings, [])
        XCTAssertEqual(Set(settings.providers.keys), ["openai", "groq", "local", "anthropic"])

        let openai = try XCTUnwrap(settings.providers["openai"])
        XCTAssertEqual(openai.kind, .openai)
        XCTAssertEqual(openai.baseURL, "https://api.openai.com/v1")
        XCTAssertEqual(openai.apiKey, "sk-openai")
        XCTAssertEqual(openai.apiKeyEnv, "OPENAI_API_KEY")
        XCTAssertEqual(settings.providers["groq"]?.baseURL, "https://api.groq.com/openai/v1")
        XCTAssertEqual(settings.providers["groq"]?.apiKey, "gsk-groq")
        let local = try XCTUnwrap(settings.providers["local"])
        XCTAssertEqual(local.baseURL, "http://127.0.0.1:11434/v1")
        XCTAssertNil(local.apiKey)
        XCTAssertNil(local.apiKeyEnv)
        let anthropic = try XCTUnwrap(settings.providers["anthropic"])
        XCTAssertEqual(anthropic.kind, .anthropic)
        XCTAssertEqual(anthropic.baseURL, "https://api.anthropic.com/v1")
        XCTAssertEqual(anthropic.headers.map(\.0), ["anthropic-beta"])
        XCTAssertEqual(anthropic.headers.map(\.1), ["x"])
        XCTAssertEqual(
            anthropic.timeouts,
            AttemptTimeouts(
                connectMilliseconds: 5000, firstByteMilliseconds: 30000,
                totalMilliseconds: 600_000))

        XCTAssertEqual(
            settings.models,
            [
                ModelInfo(
                    id: ModelID(provider: "local", model: "llama3.2"), contextLength: 131_072,
                    pricing: Pricing(input: 0, output: 0),
                    supportsTools: true)
            ])
        XCTAssertEqual(
            settings.aliases,
            [
                AliasDefinition(
                    name: "fast", strategy: .lowestLatency,
                    targets: [
                        AliasTarget(model: ModelID(provider: "groq", model: "llama-3.1-8b-instant")),
                        AliasTarget(model: ModelID(provider: "openai", model: "gpt-4o-mini")),
                    ])
            ])
        XCTAssertEqual(settings.defaultModel, "fast")
        XCTAssertEqual(settings.health, HealthSettings(failureThreshold: 5, cooldownSeconds: 30, smoothing: 0.2))
        XCTAssertEqual(
            settings.databasePath, URL(fileURLWithPath: directory.path).appendingPathComponent("switchyard.db").path)
    }

    func testExplicitPathWinsOverTheVariableWhichWinsOverTheWorkingDirectory() throws {
        try directory.write("switchyard.json", #"{"default_model": "openai/from-cwd"}"#)
        let fromVariable = try directory.write("env.json", #"{"default_model": "openai/from-variable"}"#)
        let explicit = try directory.write("explicit.json", #"{"default_model": "openai/from-flag"}"#)
        var environment = ["OPENAI_API_KEY": "k", "SWITCHYARD_CONFIG": fromVariable]
        func load(_ path: String?) throws -> RoutingSettings {
            try SettingsLoader.load(explicitPath: path, environment: environment, workingDirectory: directory.path)
        }
        XCTAssertEqual(try load(explicit).defaultModel, "openai/from-flag")
        XCTAssertEqual(try load(explicit).source, explicit)
        XCTAssertEqual(try load(nil).defaultModel, "openai/from-variable")
        environment["SWITCHYARD_CONFIG"] = ""
        XCTAssertEqual(try load(nil).defaultModel, "openai/from-cwd")
    }

    func testRelativeExplicitPathIsReadFromTheWorkingDirectoryAndAnchorsTheDatabase() throws {
        try directory.write("config/switchyard.json", #"{"providers": {}, "database": "data/usage.db"}"#)
        let settings = try SettingsLoader.load(
            explicitPath: "config/switchyard.json", environment: [:],
            workingDirectory: directory.path)
        XCTAssertEqual(settings.source, "config/switchyard.json")
        XCTAssertEqual(
            settings.databasePath,
            URL(fileURLWithPath: directory.path).appendingPathComponent("config/data/usage.db").path)
        XCTAssertEqual(settings.warnings, [SettingsLoader.noProvidersWarning])
    }

    func testExplicitPathThatDoesNotExistIsAnError() {
        let message = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.load(explicitPath: "missing.json", environment: [:], workingDirectory: directory.path)
        }
        XCTAssertEqual(message, "missing.json: settings file not found (named by --config)")
        let fromVariable = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.load(
                explicitPath: nil, environment: ["SWITCHYARD_CONFIG": "/nowhere/s.json"],
                workingDirectory: directory.path)
        }
        XCTAssertEqual(fromVariable, "/nowhere/s.json: settings file not found (named by SWITCHYARD_CONFIG)")
        let empty = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.load(explicitPath: "", environment: [:], workingDirectory: directory.path)
        }
        XCTAssertEqual(empty, "--config: needs the path of a settings file")
    }

    func testADirectoryIsNotASettingsFile() {
        let message = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.load(explicitPath: directory.path, environment: [:], workingDirectory: "/")
        }
        XCTAssertEqual(message, "\(directory.path): is a directory, not a settings file (named by --config)")
    }

    func testWithoutAFileProvidersComeFromTheEnvironment() throws {
        let settings = try SettingsLoader.load(
            explicitPath: nil, environment: ["GROQ_API_KEY": "gsk"],
            workingDirectory: directory.path)
        XCTAssertEqual(settings.source, "environment")
        XCTAssertEqual(Array(settings.providers.keys), ["groq"])
        XCTAssertEqual(
            settings.databasePath, URL(fileURLWithPath: directory.path).appendingPathComponent("switchyard.db").path)
    }

    func testAFileWithoutProvidersDiscoversThemFromTheEnvironment() throws {
        try directory.write("switchyard.json", #"{"aliases": {"cheap": {"targets": ["groq/llama-3.1-8b-instant"]}}}"#)
        let settings = try SettingsLoader.load(
            explicitPath: nil, environment: ["GROQ_API_KEY": "gsk"],
            workingDirectory: directory.path)
        XCTAssertEqual(Array(settings.providers.keys), ["groq"])
        XCTAssertEqual(settings.aliases.map(\.name), ["cheap"])
    }

    func testInvalidJSONNamesTheFileLineAndColumn() throws {
        try directory.write("switchyard.json", "{\n  \"providers\": {,}\n}")
        let message = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.load(explicitPath: nil, environment: [:], workingDirectory: directory.path)
        }
        XCTAssertEqual(message?.hasPrefix("switchyard.json: invalid JSON at line 2, column 17: "), true, message ?? "")
    }

    func testDatabasePaths() throws {
        func database(_ value: String) throws -> String {
            try parseSettings(#"{"providers": {}, "database": "\#(value)"}"#, environment: ["HOME": "/home/me"]).databasePath
        }
        XCTAssertEqual(try database("switchyard.db"), "/srv/switchyard/switchyard.db")
        XCTAssertEqual(try database("../data/s.db"), "/srv/data/s.db")
        XCTAssertEqual(try database("/var/lib/s.db"), "/var/lib/s.db")
        XCTAssertEqual(try database("~/s.db"), "/home/me/s.db")
        XCTAssertEqual(
            settingsFileError(#"{"database": ":memory:"}"#),
            "switchyard.json: database: must be a file path (in-memory and URI databases are not supported)")
        XCTAssertEqual(try parseSettings(#"{"providers": {}}"#).databasePath, "/srv/switchyard/switchyard.db")
        XCTAssertEqual(
            settingsFileError(#"{"database": ""}"#),
            "switchyard.json: database: must be a file path")
        XCTAssertEqual(settingsFileError(#"{"database": 3}"#), "switchyard.json: database: must be a string")
    }

    func testUnknownTopLevelFieldsAreRejected() {
        XCTAssertEqual(
            settingsFileError(#"{"provders": {}}"#),
            "switchyard.json: provders: unknown field (expected one of: admin_key_env, aliases, database, default_model, "
                + "health, models, providers)")
        XCTAssertEqual(settingsFileError("[]"), "switchyard.json: settings: must be an object")
    }
}
