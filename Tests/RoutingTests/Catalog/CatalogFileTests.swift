import XCTest

@testable import Routing

/// Reading catalog files: what a broken edit of `catalog.json` reports.
final class CatalogFileTests: XCTestCase {
    private func message(_ text: String) -> String? {
        do {
            _ = try CatalogFile.parse(Array(text.utf8), name: "catalog.json")
            return nil
        } catch {
            return error.message
        }
    }

    func testReadsEntriesDefaultsAndSnapshots() throws {
        let file = try CatalogFile.parse(
            Array(
                """
                {"as_of": "2025-01-31", "note": "n", "models": [
                  {"id": "p/a", "context_length": 10, "pricing": {"input": 1, "output": 2}, "listed_as": ["a-2025"]},
                  {"id": "p/b"}
                ]}
                """.utf8), name: "catalog.json")
        XCTAssertEqual(file.asOf, "2025-01-31")
        XCTAssertEqual(
            file.models,
            [
                ModelInfo(id: ModelID(provider: "p", model: "a"), contextLength: 10, pricing: Pricing(input: 1, output: 2)),
                ModelInfo(id: ModelID(provider: "p", model: "b"), isPricingKnown: false),
            ])
        XCTAssertEqual(file.snapshots, [ModelID(provider: "p", model: "a-2025"): ModelID(provider: "p", model: "a")])
    }

    func testProblemsNameTheEntryAndField() {
        XCTAssertEqual(
            message(#"{"as_of": "2025-13-01", "models": []}"#),
            "catalog.json: as_of: must be a date written YYYY-MM-DD")
        XCTAssertEqual(message(#"{"models": []}"#), "catalog.json: as_of: is required (a non-empty string)")
        XCTAssertEqual(
            message(#"{"as_of": "2025-01-01", "models": [{"id": "p/a"}, {"id": "p/a"}]}"#),
            "catalog.json: models[1].id: \"p/a\" appears twice")
        XCTAssertEqual(
            message(#"{"as_of": "2025-01-01", "models": [{"name": "x"}]}"#),
            "catalog.json: models[0].id: is required (provider/model)")
        XCTAssertEqual(
            message(#"{"as_of": "2025-01-01", "models": [{"id": "p/a", "contxt": 1}]}"#)?
                .hasPrefix("catalog.json: models[0].contxt: unknown field"), true)
        XCTAssertEqual(
            message(#"{"as_of": "2025-01-01", "models": [{"id": "p/a"}, {"id": "p/b", "listed_as": ["a"]}]}"#),
            "catalog.json: models: \"p/a\" is both an entry and another entry's listed_as name")
        XCTAssertEqual(message("{")?.hasPrefix("catalog.json: invalid JSON"), true)
    }

    func testDates() {
        XCTAssertEqual(CatalogDate.unixTime(of: "1970-01-01"), 0)
        XCTAssertEqual(CatalogDate.unixTime(of: "2000-03-01"), 951_868_800)
        XCTAssertEqual(CatalogDate.unixTime(of: "2025-10-20"), 1_760_918_400)
        XCTAssertEqual(CatalogDate.unixTime(of: "2024-02-29"), 1_709_164_800)
        XCTAssertNil(CatalogDate.unixTime(of: "2025-02-29"))
        XCTAssertNil(CatalogDate.unixTime(of: "2025-1-01"))
        XCTAssertNil(CatalogDate.unixTime(of: "yesterday"))
    }
}
