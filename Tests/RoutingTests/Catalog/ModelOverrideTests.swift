import JSON
import XCTest

@testable import Routing

/// Model entries as written in settings and in the catalog file.
final class ModelOverrideTests: XCTestCase {
    /// The problem reading `json` as the entry `models.local/m` reports.
    private func message(_ json: JSON) -> String? {
        do {
            _ = try ModelOverride(json: json, path: "models.local/m")
            return nil
        } catch {
            return error.message
        }
    }

    func testOnlyTheFieldsSetChange() throws {
        let base = try XCTUnwrap(Catalog.shipped.lookup(ModelID(provider: "openai", model: "gpt-4o")))
        let override = try ModelOverride(json: ["pricing": ["output": 12]], path: "models.openai/gpt-4o")
        let result = override.applied(to: base)
        XCTAssertEqual(result.pricing, Pricing(input: 2.5, output: 12, cachedInput: 1.25))
        var expected = base
        expected.pricing.output = 12
        XCTAssertEqual(result, expected)
    }

    func testEveryFieldIsRead() throws {
        let json: JSON = [
            "name": "Local Llama", "context_length": 131072, "max_output_tokens": 4096,
            "input_modalities": ["text", "image"], "output_modalities": ["text"],
            "pricing": ["input": 0, "output": 0, "cached_input": 0, "cache_write": 0.5], "supports_tools": true,
            "supports_vision": true,
            "supports_json_schema": true, "supports_reasoning": true, "uses_max_completion_tokens": true,
            "is_active": false,
        ]
        let id = ModelID(provider: "local", model: "llama3.2")
        let result = try ModelOverride(json: json, path: "models.local/llama3.2")
            .applied(to: ModelInfo(id: id, isPricingKnown: false))
        XCTAssertEqual(
            result,
            ModelInfo(
                id: id, displayName: "Local Llama", contextLength: 131_072, maxOutputTokens: 4096,
                inputModalities: ["text", "image"], outputModalities: ["text"],
                pricing: Pricing(input: 0, output: 0, cachedInput: 0, cacheWrite: 0.5), supportsTools: true,
                supportsVision: true,
                supportsJSONSchema: true, supportsReasoning: true, usesMaxCompletionTokens: true, isActive: false,
                isPricingKnown: true))
    }

    func testACacheWritePriceChangesOnlyThatPrice() throws {
        let base = try XCTUnwrap(Catalog.shipped.lookup(ModelID(provider: "anthropic", model: "claude-sonnet-4-5")))
        let result = try ModelOverride(json: ["pricing": ["cache_write": 6]], path: "m").applied(to: base)
        XCTAssertEqual(result.pricing, Pricing(input: 3, output: 15, cachedInput: 0.3, cacheWrite: 6))
        XCTAssertEqual(
            message(["pricing": ["cache_write": -1]]),
            "models.local/m.pricing.cache_write: must be a number from 0.0 to 100000.0")
        XCTAssertEqual(message(["pricing": ["cache_writes": 1]])?.hasPrefix("models.local/m.pricing.cache_writes"), true)
    }

    func testAPriceMakesPricingKnownButOtherFieldsDoNot() throws {
        let unknown = ModelInfo(id: ModelID(provider: "local", model: "m"), isPricingKnown: false)
        XCTAssertFalse(try ModelOverride(json: ["context_length": 8192], path: "m").applied(to: unknown).isPricingKnown)
        XCTAssertTrue(try ModelOverride(json: ["pricing": ["input": 0]], path: "m").applied(to: unknown).isPricingKnown)
    }

    func testProblemsNameTheField() {
        XCTAssertEqual(
            message(["context_lenght": 1])?
                .hasPrefix("models.local/m.context_lenght: unknown field"), true)
        XCTAssertEqual(
            message(["context_length": 0]),
            "models.local/m.context_length: must be a whole number from 1 to 100000000")
        XCTAssertEqual(
            message(["context_length": "big"]),
            "models.local/m.context_length: must be a whole number from 1 to 100000000")
        XCTAssertEqual(
            message(["pricing": ["input": -1]])?
                .hasPrefix("models.local/m.pricing.input: must be a number from 0"), true)
        XCTAssertEqual(
            message(["pricing": ["prompt": 1]])?
                .hasPrefix("models.local/m.pricing.prompt: unknown field"), true)
        XCTAssertEqual(
            message(["pricing": 3]),
            "models.local/m.pricing: must be an object")
        XCTAssertEqual(
            message(["supports_tools": "yes"]),
            "models.local/m.supports_tools: must be true or false")
        XCTAssertEqual(
            message(["input_modalities": ["text", "imgae"]])?
                .hasPrefix("models.local/m.input_modalities[1]: unknown modality \"imgae\""), true)
        XCTAssertEqual(
            message(["output_modalities": []]),
            "models.local/m.output_modalities: must list at least one modality")
        XCTAssertEqual(message("gpt"), "models.local/m: must be an object")
    }
}
