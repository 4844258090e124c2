import XCTest

@testable import Routing

/// The data file shipped in the binary: it parses, and every entry is sane enough to route and bill by.
final class ShippedCatalogTests: XCTestCase {
    let catalog = Catalog.shipped

    func testParsesWithADateAndManyModels() throws {
        let asOf = try XCTUnwrap(catalog.asOf)
        XCTAssertNotNil(CatalogDate.unixTime(of: asOf))
        XCTAssertGreaterThanOrEqual(catalog.all.count, 40)
    }

    func testEveryEntryIsSane() throws {
        for model in catalog.all {
            let name = model.id.description
            XCTAssertEqual(ModelID(name), model.id, "\(name): id must round-trip as provider/model")
            XCTAssertNotNil(model.displayName, "\(name): needs a name")
            XCTAssertGreaterThan(model.contextLength ?? 0, 0, "\(name): needs a context length")
            if let maxOutput = model.maxOutputTokens {
                XCTAssertGreaterThan(maxOutput, 0, name)
                XCTAssertLessThanOrEqual(maxOutput, model.contextLength ?? 0, "\(name): output beyond the context")
            }
            XCTAssertTrue(model.isPricingKnown, "\(name): shipped entries carry prices")
            XCTAssertGreaterThanOrEqual(model.pricing.input, 0, name)
            XCTAssertGreaterThanOrEqual(model.pricing.output, 0, name)
            if let cached = model.pricing.cachedInput {
                XCTAssertGreaterThanOrEqual(cached, 0, name)
                XCTAssertLessThanOrEqual(cached, model.pricing.input, "\(name): cached input dearer than input")
            }
            if model.id.model.hasPrefix("claude") || model.id.model.hasPrefix("anthropic/") {
                // Anthropic bills a 5-minute cache write at 1.25 times the input price, through OpenRouter too.
                let write = try XCTUnwrap(model.pricing.cacheWrite, "\(name): Anthropic models price cache writes")
                XCTAssertEqual(write, model.pricing.input * 1.25, accuracy: 1e-9, name)
            } else {
                XCTAssertNil(model.pricing.cacheWrite, "\(name): only Anthropic bills cache writes apart")
            }
            XCTAssertTrue(model.isActive, name)
            XCTAssertFalse(model.inputModalities.isEmpty, name)
            XCTAssertFalse(model.outputModalities.isEmpty, name)
            XCTAssertEqual(
                model.supportsVision, model.inputModalities.contains("image"),
                "\(name): supports_vision and an image input modality go together")
            if model.usesMaxCompletionTokens {
                XCTAssertEqual(model.id.provider, "openai", "\(name): only OpenAI wants max_completion_tokens")
            }
            if model.outputModalities.contains("embeddings") {
                XCTAssertFalse(model.supportsTools || model.supportsReasoning, "\(name): an embedding model")
            } else {
                XCTAssertGreaterThan(model.pricing.output, 0, "\(name): chat output is never free at a paid API")
            }
        }
    }

    func testHoldsTheWellKnownModels() {
        let expected = [
            "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "openai/gpt-4.1-mini", "openai/gpt-4.1-nano",
            "openai/o1", "openai/o3", "openai/o3-mini", "openai/o4-mini", "openai/gpt-5", "openai/gpt-5-mini",
            "openai/gpt-5-nano", "openai/text-embedding-3-small", "openai/text-embedding-3-large",
            "anthropic/claude-opus-4-1", "anthropic/claude-opus-4-0", "anthropic/claude-sonnet-4-5",
            "anthropic/claude-sonnet-4-0", "anthropic/claude-3-7-sonnet-latest", "anthropic/claude-3-5-haiku-latest",
            "anthropic/claude-haiku-4-5", "gemini/gemini-2.5-pro", "gemini/gemini-2.5-flash",
            "gemini/gemini-2.5-flash-lite", "gemini/gemini-2.0-flash", "gemini/text-embedding-004",
            "groq/llama-3.3-70b-versatile", "groq/llama-3.1-8b-instant", "deepseek/deepseek-chat",
            "deepseek/deepseek-reasoner", "xai/grok-4", "xai/grok-3-mini", "mistral/mistral-large-latest",
            "mistral/mistral-small-latest", "mistral/codestral-latest", "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "openrouter/anthropic/claude-sonnet-4",
        ]
        for text in expected {
            XCTAssertNotNil(catalog.lookup(ModelID(text)!), "missing \(text)")
        }
    }

    func testOpenAIReasoningFamiliesUseMaxCompletionTokens() throws {
        for name in ["o1", "o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano"] {
            let model = try XCTUnwrap(catalog.lookup(ModelID(provider: "openai", model: name)))
            XCTAssertTrue(model.usesMaxCompletionTokens, name)
            XCTAssertTrue(model.supportsReasoning, name)
        }
        let gpt4o = try XCTUnwrap(catalog.lookup(ModelID(provider: "openai", model: "gpt-4o")))
        XCTAssertFalse(gpt4o.usesMaxCompletionTokens)
    }

    func testKnownPricesAndLimits() throws {
        let mini = try XCTUnwrap(catalog.lookup(ModelID(provider: "openai", model: "gpt-4o-mini")))
        XCTAssertEqual(mini.pricing, Pricing(input: 0.15, output: 0.60, cachedInput: 0.075))
        XCTAssertEqual(mini.contextLength, 128_000)
        XCTAssertEqual(mini.maxOutputTokens, 16_384)
        XCTAssertEqual(mini.inputModalities, ["text", "image"])
        XCTAssertEqual(mini.outputModalities, ["text"])
        let groq = try XCTUnwrap(catalog.lookup(ModelID(provider: "groq", model: "llama-3.1-8b-instant")))
        XCTAssertTrue(groq.supportsTools)
        XCTAssertFalse(groq.supportsVision)
        XCTAssertNil(groq.pricing.cachedInput)
    }

    func testSnapshotNamesFindTheirEntryUnderTheAskedId() throws {
        let snapshot = ModelID(provider: "anthropic", model: "claude-opus-4-1-20250805")
        let info = try XCTUnwrap(catalog.lookup(snapshot))
        XCTAssertEqual(info.id, snapshot)
        XCTAssertEqual(info.displayName, "Claude Opus 4.1")
        XCTAssertFalse(catalog.all.contains { $0.id == snapshot }, "snapshots are not listed as models of their own")
    }

    func testUnknownModelIsNil() {
        XCTAssertNil(catalog.lookup(ModelID(provider: "openai", model: "gpt-0")))
        XCTAssertNil(catalog.lookup(ModelID(provider: "nobody", model: "gpt-4o")))
    }

    func testAllIsSortedAndModelsOfAProviderAreThatProvider() {
        let ids = catalog.all.map(\.id)
        XCTAssertEqual(ids, ids.sorted())
        let anthropic = catalog.models(provider: "anthropic")
        XCTAssertEqual(anthropic.count, 7)
        XCTAssertTrue(anthropic.allSatisfy { $0.id.provider == "anthropic" })
        XCTAssertEqual(anthropic.map(\.id), anthropic.map(\.id).sorted())
    }
}
