import XCTest

@testable import Routing

/// Providers found in the environment when there is no settings file.
final class EnvironmentDiscoveryTests: XCTestCase {
    private func discover(_ environment: [String: String]) throws -> RoutingSettings {
        try SettingsLoader.fromEnvironment(environment, workingDirectory: "/work")
    }

    func testTheDatabaseDefaultsToTheUsersDataDirectoryNotTheWorkingDirectory() throws {
        XCTAssertEqual(try discover(["HOME": "/home/me"]).databasePath, "/home/me/.local/share/switchyard/switchyard.db")
        XCTAssertEqual(
            try discover(["HOME": "/home/me", "XDG_DATA_HOME": "/data"]).databasePath, "/data/switchyard/switchyard.db")
        XCTAssertEqual(
            try discover(["HOME": "/home/me", "SWITCHYARD_DATABASE": "/var/lib/sy.db"]).databasePath, "/var/lib/sy.db")
    }

    func testEveryKeyVariableAddsItsProvider() throws {
        let environment = [
            "OPENAI_API_KEY": "1", "ANTHROPIC_API_KEY": "2", "GEMINI_API_KEY": "3", "OPENROUTER_API_KEY": "4",
            "GROQ_API_KEY": "5", "TOGETHER_API_KEY": "6", "DEEPSEEK_API_KEY": "7", "XAI_API_KEY": "8",
            "MISTRAL_API_KEY": "9", "OLLAMA_HOST": "127.0.0.1:11434", "PATH": "/usr/bin",
        ]
        let settings = try discover(environment)
        XCTAssertEqual(settings.source, "environment")
        XCTAssertEqual(settings.warnings, [])
        XCTAssertEqual(settings.databasePath, "/work/switchyard.db", "no HOME: the working directory is the last resort")
        let expected: [(String, ProviderKind, String, String?)] = [
            ("openai", .openai, "https://api.openai.com/v1", "OPENAI_API_KEY"),
            ("anthropic", .anthropic, "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
            ("gemini", .gemini, "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY"),
            ("openrouter", .openai, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
            ("groq", .openai, "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
            ("together", .openai, "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
            ("deepseek", .openai, "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
            ("xai", .openai, "https://api.x.ai/v1", "XAI_API_KEY"),
            ("mistral", .openai, "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
            ("ollama", .openai, "http://127.0.0.1:11434/v1", nil),
        ]
        XCTAssertEqual(settings.providers.count, expected.count)
        for (id, kind, url, variable) in expected {
            let provider = try XCTUnwrap(settings.providers[id], id)
            XCTAssertEqual(provider.id, id)
            XCTAssertEqual(provider.kind, kind, id)
            XCTAssertEqual(provider.baseURL, url, id)
            XCTAssertEqual(provider.apiKeyEnv, variable, id)
            XCTAssertEqual(provider.apiKey, variable.flatMap { environment[$0] }, id)
        }
    }

    func testNothingSetMeansNoProvidersAndAWarning() throws {
        let settings = try discover(["OPENAI_API_KEY": "", "HOME": "/root"])
        XCTAssertTrue(settings.providers.isEmpty)
        XCTAssertEqual(settings.warnings, [SettingsLoader.noProvidersWarning])
    }

    func testBaseURLVariables() throws {
        let settings = try discover([
            "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://proxy:8080/v1/",
            "ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "https://claude.corp/v1",
        ])
        XCTAssertEqual(settings.providers["openai"]?.baseURL, "http://proxy:8080/v1")
        XCTAssertEqual(settings.providers["anthropic"]?.baseURL, "https://claude.corp/v1")
        // A base URL without its key adds nothing: there is no one to authenticate as.
        XCTAssertNil(try discover(["OPENAI_BASE_URL": "http://proxy/v1"]).providers["openai"])
        let message = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.fromEnvironment(
                ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "proxy:8080"],
                workingDirectory: "/")
        }
        XCTAssertEqual(message, #"OPENAI_BASE_URL: must be an http:// or https:// URL, got "proxy:8080""#)
    }

    func testGeminiPrefersGeminiKeyAndFallsBackToGoogleKey() throws {
        let both = try discover(["GEMINI_API_KEY": "g1", "GOOGLE_API_KEY": "g2"]).providers["gemini"]
        XCTAssertEqual(both?.apiKey, "g1")
        XCTAssertEqual(both?.apiKeyEnv, "GEMINI_API_KEY")
        let google = try discover(["GOOGLE_API_KEY": "g2"]).providers["gemini"]
        XCTAssertEqual(google?.apiKey, "g2")
        XCTAssertEqual(google?.apiKeyEnv, "GOOGLE_API_KEY")
    }

    func testOllamaHostForms() {
        let cases = [
            ("127.0.0.1:11434", "http://127.0.0.1:11434/v1"),
            ("0.0.0.0", "http://0.0.0.0:11434/v1"),
            ("gpu-box", "http://gpu-box:11434/v1"),
            (":8080", "http://127.0.0.1:8080/v1"),
            ("[::1]:9000", "http://[::1]:9000/v1"),
            ("[::1]", "http://[::1]:11434/v1"),
            ("http://gpu-box:11434", "http://gpu-box:11434/v1"),
            ("https://ollama.example.com/", "https://ollama.example.com/v1"),
            ("http://host:1/ollama", "http://host:1/ollama/v1"),
            ("http://host:1/v1", "http://host:1/v1"),
            (" gpu-box ", "http://gpu-box:11434/v1"),
        ]
        for (host, url) in cases {
            XCTAssertEqual(EnvironmentProviders.ollamaBaseURL(host: host), url, host)
        }
    }

    func testDefaultModelVariable() throws {
        XCTAssertEqual(
            try discover(["GROQ_API_KEY": "k", "SWITCHYARD_DEFAULT_MODEL": "groq/llama-3.1-8b-instant"])
                .defaultModel, "groq/llama-3.1-8b-instant")
        XCTAssertNil(try discover(["GROQ_API_KEY": "k", "SWITCHYARD_DEFAULT_MODEL": ""]).defaultModel)
        let message = settingsErrorMessage { () throws(SettingsError) in
            _ = try SettingsLoader.fromEnvironment(
                ["GROQ_API_KEY": "k", "SWITCHYARD_DEFAULT_MODEL": "fast"],
                workingDirectory: "/")
        }
        XCTAssertEqual(
            message,
            #"SWITCHYARD_DEFAULT_MODEL: "fast" is not an alias (none are defined); name an alias or "#
                + "a model id written provider/model")
    }
}
