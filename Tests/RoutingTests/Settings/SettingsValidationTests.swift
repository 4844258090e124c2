import XCTest

@testable import Routing

/// Sections checked against each other: aliases and the default model against providers, models, health.
final class SettingsValidationTests: XCTestCase {
    private let providers = #""providers": {"openai": {}, "groq": {}}"#

    func testAliasTargetAtAnUnconfiguredProviderNamesTheTarget() {
        XCTAssertEqual(
            settingsFileError(
                #"{\#(providers), "aliases": {"fast": {"targets": ["groq/llama-3.1-8b-instant", "nope/m"]}}}"#),
            #"switchyard.json: aliases.fast.targets[1]: provider "nope" is not configured (configured: groq, openai)"#)
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "aliases": {"fast": {"targets": [{"model": "nope/m", "weight": 2}]}}}"#),
            #"switchyard.json: aliases.fast.targets[0]: provider "nope" is not configured (configured: groq, openai)"#)
    }

    func testCategoryAliasTargetsAndClassifierAreChecked() throws {
        func text(category: String, fallback: String, classifier: String) -> String {
            #"{\#(providers), "aliases": {"smart": {"strategy": "category", "categories": [{"name": "code", "#
                + #""keywords": ["swift"], "targets": ["openai/gpt-4.1", "\#(category)"]}], "#
                + #""default": {"targets": ["\#(fallback)"]}, "classifier_model": "\#(classifier)"}}}"#
        }
        XCTAssertEqual(
            settingsFileError(text(category: "x/a", fallback: "openai/b", classifier: "openai/c")),
            #"switchyard.json: aliases.smart.categories[0].targets[1]: provider "x" is not configured (configured: groq, openai)"#
        )
        XCTAssertEqual(
            settingsFileError(text(category: "openai/a", fallback: "x/b", classifier: "openai/c")),
            #"switchyard.json: aliases.smart.default.targets[0]: provider "x" is not configured (configured: groq, openai)"#)
        XCTAssertEqual(
            settingsFileError(text(category: "openai/a", fallback: "openai/b", classifier: "x/c")),
            #"switchyard.json: aliases.smart.classifier_model: provider "x" is not configured (configured: groq, openai)"#)
        let settings = try parseSettings(text(category: "groq/a", fallback: "openai/b", classifier: "openai/c"))
        XCTAssertEqual(settings.aliases.first?.strategy, .category)
    }

    func testAliasParseErrorsCarryTheFileName() {
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "aliases": {"fast": {"strategy": "fastest", "targets": ["openai/a"]}}}"#)?
                .hasPrefix(#"switchyard.json: aliases.fast.strategy: unknown strategy "fastest""#), true)
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "aliases": {"a/b": {"targets": ["openai/a"]}}}"#)?
                .hasPrefix(#"switchyard.json: aliases.a/b: alias name "a/b" must be non-empty"#), true)
    }

    func testDefaultModel() throws {
        let alias = #""aliases": {"fast": {"targets": ["groq/llama-3.1-8b-instant"]}}"#
        XCTAssertEqual(try parseSettings(#"{\#(providers), \#(alias), "default_model": "fast"}"#).defaultModel, "fast")
        XCTAssertEqual(
            try parseSettings(#"{\#(providers), "default_model": "openai/gpt-4o"}"#).defaultModel, "openai/gpt-4o")
        XCTAssertNil(try parseSettings(#"{\#(providers)}"#).defaultModel)
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), \#(alias), "default_model": "slow"}"#),
            #"switchyard.json: default_model: "slow" is not an alias (defined: fast); name an alias or a model id written provider/model"#
        )
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "default_model": "slow"}"#),
            #"switchyard.json: default_model: "slow" is not an alias (none are defined); name an alias or a model id written provider/model"#
        )
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "default_model": "anthropic/claude-sonnet-4-5"}"#),
            #"switchyard.json: default_model: provider "anthropic" is not configured (configured: groq, openai)"#)
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "default_model": "openai/"}"#),
            #"switchyard.json: default_model: "openai/" must be a model id written provider/model or an alias name"#)
    }

    func testDefaultModelVariableOverridesTheFileAndIsNamedWhenWrong() throws {
        let text = #"{\#(providers), "default_model": "openai/gpt-4o"}"#
        XCTAssertEqual(
            try parseSettings(text, environment: ["SWITCHYARD_DEFAULT_MODEL": "groq/llama-3.1-8b-instant"])
                .defaultModel, "groq/llama-3.1-8b-instant")
        XCTAssertEqual(
            settingsFileError(text, environment: ["SWITCHYARD_DEFAULT_MODEL": "mistral/x"]),
            #"SWITCHYARD_DEFAULT_MODEL: provider "mistral" is not configured (configured: groq, openai)"#)
    }

    func testModelsMergeOverTheShippedEntry() throws {
        let settings = try parseSettings(#"{\#(providers), "models": {"openai/gpt-4o": {"pricing": {"input": 1}}}}"#)
        var expected = try XCTUnwrap(Catalog.shipped.lookup(ModelID(provider: "openai", model: "gpt-4o")))
        expected.pricing.input = 1
        XCTAssertEqual(settings.models, [expected])
        let catalog = Catalog(settings: settings)
        XCTAssertEqual(catalog.lookup(expected.id), expected)
    }

    func testModelsOfUnknownModelsStartWithUnknownPricing() throws {
        let settings = try parseSettings(#"{\#(providers), "models": {"groq/new-model": {"context_length": 8192}}}"#)
        XCTAssertEqual(
            settings.models,
            [
                ModelInfo(
                    id: ModelID(provider: "groq", model: "new-model"), contextLength: 8192,
                    isPricingKnown: false)
            ])
    }

    func testModelProblemsNameTheField() {
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "models": {"llama3": {}}}"#),
            "switchyard.json: models.llama3: the key must be a model id written provider/model")
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "models": {"local/llama3": {}}}"#),
            #"switchyard.json: models.local/llama3: provider "local" is not configured (configured: groq, openai)"#)
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "models": {"openai/x": {"context_length": -1}}}"#),
            "switchyard.json: models.openai/x.context_length: must be a whole number from 1 to 100000000")
    }

    func testHealth() throws {
        XCTAssertEqual(try parseSettings(#"{\#(providers)}"#).health, HealthSettings())
        XCTAssertEqual(
            try parseSettings(#"{\#(providers), "health": {"failure_threshold": 2}}"#).health,
            HealthSettings(failureThreshold: 2))
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "health": {"failure_threshold": 0}}"#),
            "switchyard.json: health.failure_threshold: must be a whole number from 1 to 1000")
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "health": {"smoothing": 0}}"#),
            "switchyard.json: health.smoothing: must be a number from 0.01 to 1.0")
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "health": {"cooldown_seconds": -1}}"#),
            "switchyard.json: health.cooldown_seconds: must be a number from 0.0 to 86400.0")
        XCTAssertEqual(
            settingsFileError(#"{\#(providers), "health": {"cooldown": 1}}"#)?
                .hasPrefix("switchyard.json: health.cooldown: unknown field"), true)
    }
}
