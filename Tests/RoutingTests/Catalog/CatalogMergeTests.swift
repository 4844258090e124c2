import XCTest

@testable import Routing

/// Settings over the shipped data, and providers' `/models` lists folded in.
final class CatalogMergeTests: XCTestCase {
    private func id(_ text: String) -> ModelID { ModelID(text)! }

    private func provider(_ id: String) -> ProviderConfig {
        ProviderConfig(id: id, kind: .openai, baseURL: "http://127.0.0.1:1/v1")
    }

    func testSettingsEntryReplacesTheShippedOne() throws {
        var cheaper = try XCTUnwrap(Catalog.shipped.lookup(id("openai/gpt-4o")))
        cheaper.pricing.input = 1
        let settings = RoutingSettings(providers: ["openai": provider("openai")], models: [cheaper])
        let catalog = Catalog(settings: settings)
        XCTAssertEqual(catalog.lookup(id("openai/gpt-4o"))?.pricing.input, 1)
        XCTAssertEqual(catalog.lookup(id("openai/gpt-4o"))?.contextLength, 128_000)
        XCTAssertEqual(catalog.lookup(id("openai/gpt-4o-mini")), Catalog.shipped.lookup(id("openai/gpt-4o-mini")))
    }

    func testSettingsAddModelsAndOnlyConfiguredProvidersRemain() {
        let local = ModelInfo(id: id("local/llama3.2"), contextLength: 131_072, supportsTools: true)
        let settings = RoutingSettings(
            providers: ["local": provider("local"), "groq": provider("groq")],
            models: [local])
        let catalog = Catalog(settings: settings)
        XCTAssertEqual(catalog.lookup(id("local/llama3.2")), local)
        XCTAssertEqual(Set(catalog.all.map(\.id.provider)), ["local", "groq"])
        XCTAssertNil(catalog.lookup(id("openai/gpt-4o")), "openai is not configured")
        XCTAssertNil(catalog.lookup(id("anthropic/claude-opus-4-1-20250805")), "nor anthropic, snapshots included")
    }

    func testMergeAddsUnknownNamesWithDefaultsAndUnknownPrices() throws {
        var catalog = Catalog(models: [ModelInfo(id: id("groq/llama-3.1-8b-instant"), contextLength: 131_072)])
        catalog.merge(listed: ["llama-3.1-8b-instant", "qwen/qwen3-32b"], provider: "groq")
        let added = try XCTUnwrap(catalog.lookup(id("groq/qwen/qwen3-32b")))
        XCTAssertEqual(added, ModelInfo(id: id("groq/qwen/qwen3-32b"), isPricingKnown: false))
        XCTAssertTrue(added.isActive)
        XCTAssertEqual(catalog.lookup(id("groq/llama-3.1-8b-instant"))?.contextLength, 131_072, "known kept as is")
    }

    func testMergeDeactivatesUnlistedModelsOfThatProviderOnly() {
        var catalog = Catalog(models: [
            ModelInfo(id: id("groq/a")), ModelInfo(id: id("groq/b")),
            ModelInfo(id: id("openai/b")),
        ])
        catalog.merge(listed: ["a"], provider: "groq")
        XCTAssertEqual(catalog.lookup(id("groq/a"))?.isActive, true)
        XCTAssertEqual(catalog.lookup(id("groq/b"))?.isActive, false)
        XCTAssertEqual(catalog.lookup(id("openai/b"))?.isActive, true)
        // A later list that reports it again switches it back on.
        catalog.merge(listed: ["a", "b"], provider: "groq")
        XCTAssertEqual(catalog.lookup(id("groq/b"))?.isActive, true)
    }

    func testMergeKeepsModelsSettingsSwitchedOffInactive() {
        var catalog = Catalog(models: [ModelInfo(id: id("groq/a"))])
        catalog.apply([ModelInfo(id: id("groq/a"), isActive: false)])
        catalog.merge(listed: ["a"], provider: "groq")
        XCTAssertEqual(catalog.lookup(id("groq/a"))?.isActive, false)
    }

    func testMergeMatchesSnapshotNamesToTheirAliasEntry() {
        var catalog = Catalog.shipped
        catalog.merge(listed: ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805"], provider: "anthropic")
        XCTAssertEqual(catalog.lookup(id("anthropic/claude-sonnet-4-5"))?.isActive, true)
        XCTAssertEqual(catalog.lookup(id("anthropic/claude-opus-4-1"))?.isActive, true)
        XCTAssertEqual(catalog.lookup(id("anthropic/claude-3-5-haiku-latest"))?.isActive, false)
        XCTAssertFalse(
            catalog.all.contains { $0.id.model == "claude-sonnet-4-5-20250929" },
            "a snapshot of a known entry is not added as an unknown model")
        XCTAssertEqual(catalog.models(provider: "anthropic").count, 7)
    }

    func testEmptyListChangesNothing() {
        var catalog = Catalog(models: [ModelInfo(id: id("groq/a"))])
        catalog.merge(listed: [], provider: "groq")
        XCTAssertEqual(catalog.lookup(id("groq/a"))?.isActive, true)
    }

    func testLaterModelWithTheSameIdWins() {
        let catalog = Catalog(models: [
            ModelInfo(id: id("x/m"), contextLength: 1), ModelInfo(id: id("x/m"), contextLength: 2),
        ])
        XCTAssertEqual(catalog.all.count, 1)
        XCTAssertEqual(catalog.lookup(id("x/m"))?.contextLength, 2)
    }
}
