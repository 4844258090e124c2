import JSON
import XCTest

@testable import Routing

/// `GET /v1/models`: OpenAI's list shape with OpenRouter's extra fields.
final class CatalogOpenAITests: XCTestCase {
    func testModelObjectShape() throws {
        let catalog = Catalog.shipped
        let info = try XCTUnwrap(catalog.lookup(ModelID(provider: "openai", model: "gpt-4o-mini")))
        let created = try XCTUnwrap(CatalogDate.unixTime(of: try XCTUnwrap(catalog.asOf)))
        let expected: JSON = [
            "id": "openai/gpt-4o-mini", "object": "model", "created": .int(created), "owned_by": "openai",
            "name": "GPT-4o mini", "context_length": 128000,
            "architecture": [
                "input_modalities": ["text", "image"], "output_modalities": ["text"],
                "modality": "text+image->text",
            ],
            "pricing": ["prompt": "0.00000015", "completion": "0.0000006", "input_cache_read": "0.000000075"],
            "top_provider": ["context_length": 128000, "max_completion_tokens": 16384, "is_moderated": false],
            "supported_parameters": [
                "max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice",
                "response_format", "structured_outputs",
            ],
            "is_active": true,
        ]
        XCTAssertEqual(catalog.openAIModelObject(info), expected)
    }

    func testCacheWritesArePricedAsOpenRouterDoes() throws {
        let info = try XCTUnwrap(Catalog.shipped.lookup(ModelID(provider: "anthropic", model: "claude-sonnet-4-5")))
        XCTAssertEqual(
            Catalog.shipped.openAIModelObject(info)["pricing"],
            [
                "prompt": "0.000003", "completion": "0.000015", "input_cache_read": "0.0000003",
                "input_cache_write": "0.00000375",
            ])
    }

    func testListObject() {
        let catalog = Catalog(models: [
            ModelInfo(id: ModelID(provider: "a", model: "x")),
            ModelInfo(id: ModelID(provider: "b", model: "y")),
        ])
        let list = catalog.openAIListObject(models: catalog.all)
        XCTAssertEqual(list["object"], "list")
        XCTAssertEqual(list["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["a/x", "b/y"])
        XCTAssertEqual(catalog.openAIListObject(models: []), ["object": "list", "data": []])
    }

    func testUnknownFieldsAreNullAndUnknownPricingIsLeftOut() {
        let catalog = Catalog(models: [])
        let object = catalog.openAIModelObject(
            ModelInfo(
                id: ModelID(provider: "local", model: "m"), isActive: false,
                isPricingKnown: false))
        XCTAssertEqual(object["name"], "local/m")
        XCTAssertEqual(object["created"], 0)
        XCTAssertEqual(object["context_length"], .null)
        XCTAssertEqual(object["top_provider"]?["max_completion_tokens"], .null)
        XCTAssertNil(object["pricing"])
        XCTAssertEqual(object["is_active"], false)
        XCTAssertEqual(object["architecture"]?["modality"], "text->text")
    }

    func testFreeKnownPricingIsZeroAndCachedPriceOnlyWhenKnown() {
        let object = Catalog(models: []).openAIModelObject(ModelInfo(id: ModelID(provider: "local", model: "m")))
        XCTAssertEqual(object["pricing"], ["prompt": "0", "completion": "0"])
    }

    func testSupportedParametersFollowCapabilities() throws {
        let catalog = Catalog.shipped
        func parameters(_ id: String) throws -> [String] {
            let info = try XCTUnwrap(catalog.lookup(ModelID(id)!))
            return Catalog.supportedParameters(info)
        }
        XCTAssertEqual(
            try parameters("openai/gpt-5"),
            [
                "max_tokens", "tools", "tool_choice", "response_format",
                "structured_outputs", "reasoning", "include_reasoning",
            ])
        XCTAssertEqual(
            try parameters("groq/llama-3.1-8b-instant"),
            ["max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice"])
        XCTAssertEqual(try parameters("openai/text-embedding-3-small"), ["dimensions", "encoding_format"])
        XCTAssertEqual(
            try parameters("anthropic/claude-sonnet-4-5"),
            [
                "max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice", "reasoning",
                "include_reasoning",
            ])
    }

    func testPerTokenPricesArePlainDecimals() {
        XCTAssertEqual(Catalog.perToken(2.5), "0.0000025")
        XCTAssertEqual(Catalog.perToken(0.15), "0.00000015")
        XCTAssertEqual(Catalog.perToken(0.0375), "0.0000000375")
        XCTAssertEqual(Catalog.perToken(75), "0.000075")
        XCTAssertEqual(Catalog.perToken(0), "0")
        XCTAssertEqual(Catalog.perToken(1_000_000), "1")
        // Every shipped price survives the round trip through the string.
        for model in Catalog.shipped.all {
            XCTAssertEqual(
                Double(Catalog.perToken(model.pricing.input))! * 1_000_000, model.pricing.input,
                accuracy: 1e-9, model.id.description)
        }
    }
}
