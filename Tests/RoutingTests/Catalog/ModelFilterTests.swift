import JSON
import XCTest

@testable import Routing

/// The filter behind the `models_list` tool.
final class ModelFilterTests: XCTestCase {
    private let catalog = Catalog(models: [
        ModelInfo(
            id: ModelID(provider: "openai", model: "vision"), contextLength: 128_000,
            inputModalities: ["text", "image"], pricing: Pricing(input: 2.5, output: 10), supportsTools: true,
            supportsVision: true, supportsJSONSchema: true),
        ModelInfo(
            id: ModelID(provider: "openai", model: "reasoner"), contextLength: 200_000,
            pricing: Pricing(input: 1.1, output: 4.4), supportsTools: true, supportsReasoning: true),
        ModelInfo(
            id: ModelID(provider: "groq", model: "small"), contextLength: 8_192,
            pricing: Pricing(input: 0.05, output: 0.08), isActive: false),
        ModelInfo(id: ModelID(provider: "groq", model: "listed-only"), isPricingKnown: false),
    ])

    private func names(_ filter: ModelFilter) -> [String] {
        catalog.models(matching: filter).map(\.id.description)
    }

    func testNoConditionsListsEverythingSorted() {
        XCTAssertEqual(names(ModelFilter()), ["groq/listed-only", "groq/small", "openai/reasoner", "openai/vision"])
    }

    func testEachCondition() {
        XCTAssertEqual(names(ModelFilter(provider: "groq")), ["groq/listed-only", "groq/small"])
        XCTAssertEqual(names(ModelFilter(inputModality: "image")), ["openai/vision"])
        XCTAssertEqual(names(ModelFilter(capabilities: [.tools])), ["openai/reasoner", "openai/vision"])
        XCTAssertEqual(names(ModelFilter(capabilities: [.tools, .reasoning])), ["openai/reasoner"])
        XCTAssertEqual(names(ModelFilter(capabilities: [.jsonSchema, .vision])), ["openai/vision"])
        XCTAssertEqual(names(ModelFilter(maxInputPrice: 1.1)), ["groq/small", "openai/reasoner"], "inclusive")
        XCTAssertEqual(names(ModelFilter(maxOutputPrice: 1)), ["groq/small"])
        XCTAssertEqual(names(ModelFilter(minContextLength: 128_000)), ["openai/reasoner", "openai/vision"])
        XCTAssertEqual(names(ModelFilter(activeOnly: true)), ["groq/listed-only", "openai/reasoner", "openai/vision"])
    }

    func testUnknownPricesNeverPassAPriceLimit() {
        XCTAssertFalse(names(ModelFilter(maxInputPrice: 1_000)).contains("groq/listed-only"))
        XCTAssertFalse(names(ModelFilter(maxOutputPrice: 1_000)).contains("groq/listed-only"))
    }

    func testConditionsCombine() {
        XCTAssertEqual(
            names(ModelFilter(provider: "openai", capabilities: [.tools], maxInputPrice: 2)),
            ["openai/reasoner"])
    }

    func testReadsToolArguments() throws {
        let filter = try ModelFilter(json: [
            "provider": "openai", "input_modality": "image", "capability": ["tools", "json_schema"],
            "max_input_price": 3, "max_output_price": 10.5, "min_context_length": 1000, "active_only": true,
        ])
        XCTAssertEqual(
            filter,
            ModelFilter(
                provider: "openai", inputModality: "image", capabilities: [.tools, .jsonSchema],
                maxInputPrice: 3, maxOutputPrice: 10.5, minContextLength: 1000,
                activeOnly: true))
        XCTAssertEqual(try ModelFilter(json: ["capability": "vision"]).capabilities, [.vision])
        XCTAssertEqual(try ModelFilter(json: [:]), ModelFilter())
    }

    func testToolArgumentProblemsNameTheField() {
        func message(_ json: JSON) -> String? {
            do {
                _ = try ModelFilter(json: json, path: "arguments")
                return nil
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(
            message(["capability": "telepathy"]),
            "arguments.capability: unknown capability \"telepathy\" (expected one of: tools, vision, json_schema, reasoning)"
        )
        XCTAssertEqual(message(["max_input_price": -1])?.hasPrefix("arguments.max_input_price: must be a number"), true)
        XCTAssertEqual(
            message(["min_context_length": 1.5])?.hasPrefix("arguments.min_context_length: must be a whole"), true)
        XCTAssertEqual(message(["active_only": "yes"]), "arguments.active_only: must be true or false")
        XCTAssertEqual(message(["provder": "x"])?.hasPrefix("arguments.provder: unknown field"), true)
    }
}
