import JSON
import XCTest

@testable import MCP

/// One downstream's bad list entries are left out (with the reason) instead of reaching clients whose SDKs would
/// reject the whole aggregated list.
final class ListEntryCheckTests: XCTestCase {
    private let objectSchema: JSON = ["type": "object", "properties": [:]]

    func testToolsNeedANameAndObjectSchemasAndAreListedOnce() {
        let (kept, dropped) = ListEntryCheck.checked(
            "tool",
            [
                ["name": "good", "inputSchema": objectSchema],
                ["name": "noschema"],
                ["name": "stringschema", "inputSchema": "not an object"],
                ["name": "arrayschema", "inputSchema": ["type": "array"]],
                ["name": "badoutput", "inputSchema": objectSchema, "outputSchema": ["type": "string"]],
                ["inputSchema": objectSchema],
                ["name": "good", "inputSchema": objectSchema, "description": "again"],
                "not an object",
            ])
        XCTAssertEqual(kept, [["name": "good", "inputSchema": objectSchema]])
        XCTAssertEqual(dropped.count, 7)
        XCTAssertTrue(dropped.contains("tool good: listed twice"), "\(dropped)")
        XCTAssertTrue(dropped.contains { $0.hasPrefix("tool noschema: inputSchema must be an object schema") })
    }

    func testPromptArgumentsMustBeNamedObjects() {
        let (kept, dropped) = ListEntryCheck.checked(
            "prompt",
            [
                ["name": "ok", "arguments": [["name": "who", "required": true]]],
                ["name": "bare"],
                ["name": "stringargs", "arguments": "who"],
                ["name": "unnamed", "arguments": [["required": true]]],
            ])
        XCTAssertEqual(kept.compactMap { $0["name"]?.stringValue }, ["ok", "bare"])
        XCTAssertEqual(dropped.count, 2)
    }

    func testResourcesWithoutANameAreNamedByTheirURI() {
        let (resources, dropped) = ListEntryCheck.checked(
            "resource", [["uri": "file:///a", "name": "a"], ["uri": "file:///b"], ["name": "no uri"]])
        XCTAssertEqual(resources.compactMap { $0["name"]?.stringValue }, ["a", "file:///b"])
        XCTAssertEqual(dropped, ["a resource without a uri"])
        let (templates, _) = ListEntryCheck.checked("resource template", [["uriTemplate": "x://{id}"]])
        XCTAssertEqual(templates.first?["name"]?.stringValue, "x://{id}")
    }
}
