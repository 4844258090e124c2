import XCTest

@testable import Routing

/// The `providers` section: defaults, keys from the environment, and every problem naming its field.
final class ProviderSettingsTests: XCTestCase {
    private func provider(_ id: String, _ body: String, environment: [String: String] = [:]) throws -> ProviderConfig {
        let settings = try parseSettings(#"{"providers": {"\#(id)": \#(body)}}"#, environment: environment)
        return try XCTUnwrap(settings.providers[id])
    }

    func testWellKnownIdsNeedOnlyAKindOrNothing() throws {
        let groq = try provider("groq", #"{"kind": "openai"}"#, environment: ["GROQ_API_KEY": "gsk"])
        XCTAssertEqual(groq.baseURL, "https://api.groq.com/openai/v1")
        XCTAssertEqual(groq.apiKeyEnv, "GROQ_API_KEY")
        XCTAssertEqual(groq.apiKey, "gsk")
        let anthropic = try provider("anthropic", "{}", environment: ["ANTHROPIC_API_KEY": "k"])
        XCTAssertEqual(anthropic.kind, .anthropic)
        XCTAssertEqual(anthropic.baseURL, "https://api.anthropic.com/v1")
        let gemini = try provider("gemini", "{}", environment: ["GOOGLE_API_KEY": "g"])
        XCTAssertEqual(gemini.kind, .gemini)
        XCTAssertEqual(gemini.baseURL, "https://generativelanguage.googleapis.com/v1beta")
        XCTAssertEqual(gemini.apiKeyEnv, "GOOGLE_API_KEY")
        let ollama = try provider("ollama", "{}")
        XCTAssertEqual(ollama.baseURL, "http://127.0.0.1:11434/v1")
        XCTAssertNil(ollama.apiKeyEnv)
        for (id, url) in [
            ("openrouter", "https://openrouter.ai/api/v1"), ("together", "https://api.together.xyz/v1"),
            ("deepseek", "https://api.deepseek.com/v1"), ("xai", "https://api.x.ai/v1"),
            ("mistral", "https://api.mistral.ai/v1"),
        ] {
            XCTAssertEqual(try provider(id, "{}").baseURL, url, id)
        }
    }

    func testOtherIdsGetTheirKindsDefaultURL() throws {
        XCTAssertEqual(try provider("corp", #"{"kind": "anthropic"}"#).baseURL, "https://api.anthropic.com/v1")
        XCTAssertEqual(
            try provider("corp", #"{"kind": "gemini"}"#).baseURL, "https://generativelanguage.googleapis.com/v1beta")
        // A well-known id speaking another format is someone's proxy, not that vendor.
        XCTAssertEqual(try provider("groq", #"{"kind": "anthropic"}"#).baseURL, "https://api.anthropic.com/v1")
        XCTAssertEqual(
            try provider("corp", #"{"kind": "openai", "base_url": "https://llm.corp/v1/"}"#).baseURL,
            "https://llm.corp/v1")
        XCTAssertNil(try provider("corp", #"{"kind": "openai"}"#).apiKeyEnv, "no variable is guessed for other ids")
    }

    func testKindProblems() {
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"groq": {"kind": "opena"}}}"#),
            #"switchyard.json: providers.groq.kind: unknown kind "opena" (expected one of: openai, anthropic, gemini)"#)
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {}}}"#),
            "switchyard.json: providers.corp.kind: is required (one of: openai, anthropic, gemini)")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": 1}}}"#),
            "switchyard.json: providers.corp.kind: must be a string")
    }

    func testALiteralKeyIsRejectedWithoutEchoingIt() throws {
        let message = try XCTUnwrap(settingsFileError(#"{"providers": {"groq": {"api_key": "gsk-secret-value"}}}"#))
        XCTAssertTrue(message.hasPrefix("switchyard.json: providers.groq.api_key: secrets do not belong in settings files"))
        XCTAssertTrue(message.contains(#""api_key_env": "GROQ_API_KEY""#), message)
        XCTAssertFalse(message.contains("gsk-secret-value"))
        let other = try XCTUnwrap(settingsFileError(#"{"providers": {"my-proxy": {"kind": "openai", "api_key": "s"}}}"#))
        XCTAssertTrue(other.contains("MY_PROXY_API_KEY"), other)
    }

    func testAnUnsetKeyVariableIsAWarningNotAnError() throws {
        let settings = try parseSettings(
            #"{"providers": {"corp": {"kind": "openai", "api_key_env": "CORP_KEY"},"#
                + #" "groq": {}, "local": {"kind": "openai", "base_url": "http://h:1/v1"}}}"#,
            environment: ["CORP_KEY": ""])
        XCTAssertNil(settings.providers["corp"]?.apiKey)
        XCTAssertEqual(settings.providers["corp"]?.apiKeyEnv, "CORP_KEY")
        XCTAssertEqual(settings.providers["groq"]?.apiKeyEnv, "GROQ_API_KEY")
        XCTAssertEqual(
            settings.warnings,
            [
                #"providers.corp: environment variable CORP_KEY is not set; requests to "corp" will be rejected by the provider until it is"#,
                #"providers.groq: environment variable GROQ_API_KEY is not set; requests to "groq" will be rejected by the provider until it is"#,
            ])
    }

    func testKeyValuesNeverAppearInWarningsOrErrors() throws {
        let environment = ["OPENAI_API_KEY": "sk-SECRET1", "CORP_KEY": "SECRET2", "GROQ_API_KEY": "SECRET3"]
        let text = #"{"providers": {"openai": {}, "corp": {"kind": "openai", "api_key_env": "CORP_KEY"}, "anthropic": {}}}"#
        let settings = try parseSettings(text, environment: environment)
        XCTAssertEqual(settings.providers["corp"]?.apiKey, "SECRET2")
        XCTAssertEqual(settings.warnings.count, 1, "anthropic has no key")
        let failure = settingsFileError(#"{"providers": {"openai": {}}, "default_model": "nope"}"#, environment: environment)
        for message in settings.warnings + [failure ?? ""] {
            for secret in environment.values { XCTAssertFalse(message.contains(secret), message) }
        }
    }

    func testKeyVariableMustBeAName() throws {
        let message = try XCTUnwrap(settingsFileError(#"{"providers": {"openai": {"api_key_env": "sk-proj-abc123"}}}"#))
        XCTAssertEqual(
            message,
            "switchyard.json: providers.openai.api_key_env: must be the name of an environment "
                + #"variable (letters, digits and "_", not starting with a digit), not the key itself"#)
        XCTAssertNotNil(settingsFileError(#"{"providers": {"openai": {"api_key_env": "1KEY"}}}"#))
        XCTAssertNotNil(settingsFileError(#"{"providers": {"openai": {"api_key_env": ""}}}"#))
    }

    func testBaseURLMustBeHTTP() {
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "base_url": "llm.corp/v1"}}}"#),
            #"switchyard.json: providers.corp.base_url: must be an http:// or https:// URL, got "llm.corp/v1""#)
    }

    func testHeaders() throws {
        let corp = try provider("corp", #"{"kind": "openai", "headers": {"HTTP-Referer": "https://me", "X-Title": "Me"}}"#)
        XCTAssertEqual(corp.headers.map(\.0), ["HTTP-Referer", "X-Title"])
        XCTAssertEqual(corp.headers.map(\.1), ["https://me", "Me"])
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "headers": {"Bad Name": "v"}}}}"#),
            "switchyard.json: providers.corp.headers.Bad Name: is not a valid HTTP header name")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "headers": {"X": "a\r\nB: c"}}}}"#),
            "switchyard.json: providers.corp.headers.X: must not contain line breaks or NUL")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "headers": {"X": 1}}}}"#),
            "switchyard.json: providers.corp.headers.X: must be a string")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "headers": []}}}"#),
            "switchyard.json: providers.corp.headers: must be an object")
    }

    func testPricingForUnlistedModels() throws {
        XCTAssertNil(try provider("ollama", "{}").pricing)
        XCTAssertEqual(
            try provider("ollama", #"{"pricing": {"input": 0, "output": 0}}"#).pricing, Pricing(input: 0, output: 0))
        XCTAssertEqual(
            try provider("corp", #"{"kind": "openai", "pricing": {"input": 1.5, "output": 3, "cached_input": 0.5}}"#)
                .pricing, Pricing(input: 1.5, output: 3, cachedInput: 0.5))
        XCTAssertEqual(
            try provider("corp", #"{"kind": "anthropic", "pricing": {"input": 2, "output": 4, "cache_write": 2.5}}"#)
                .pricing, Pricing(input: 2, output: 4, cacheWrite: 2.5))
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"ollama": {"pricing": {"input": 0}}}}"#),
            #"switchyard.json: providers.ollama.pricing: needs both "input" and "output" (USD per million tokens)"#)
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"ollama": {"pricing": {"input": 0, "output": -1}}}}"#),
            "switchyard.json: providers.ollama.pricing.output: must be a number from 0.0 to 100000.0")
    }

    func testTimeouts() throws {
        XCTAssertEqual(try provider("corp", #"{"kind": "openai"}"#).timeouts, AttemptTimeouts())
        XCTAssertEqual(
            try provider("corp", #"{"kind": "openai", "timeouts": {"first_byte_ms": 5}}"#).timeouts,
            AttemptTimeouts(firstByteMilliseconds: 5))
        XCTAssertNil(try provider("corp", #"{"kind": "openai", "timeouts": {"total_ms": 0}}"#).timeouts.totalMilliseconds)
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "timeouts": {"connect_ms": 0}}}}"#),
            "switchyard.json: providers.corp.timeouts.connect_ms: must be a whole number from 1 to 600000")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "timeouts": {"total": 1}}}}"#)?
                .hasPrefix("switchyard.json: providers.corp.timeouts.total: unknown field"), true)
    }

    func testIdsAndShapes() {
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"my/proxy": {"kind": "openai"}}}"#),
            #"switchyard.json: providers.my/proxy: provider id must be letters, digits, "-", "_" or "." (it is "#
                + #"the part of a model id before the "/")"#)
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": "openai"}}"#),
            "switchyard.json: providers.corp: must be an object")
        XCTAssertEqual(settingsFileError(#"{"providers": []}"#), "switchyard.json: providers: must be an object")
        XCTAssertEqual(
            settingsFileError(#"{"providers": {"corp": {"kind": "openai", "url": "x"}}}"#),
            "switchyard.json: providers.corp.url: unknown field (expected one of: api_key_env, base_url, "
                + "headers, kind, pricing, timeouts)")
    }
}
