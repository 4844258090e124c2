import Foundation
import JSON
import Routing
import XCTest

@testable import Store

final class SQLiteAliasStoreTests: StoreTestCase {
    private func alias(_ name: String, _ text: String) throws -> AliasDefinition {
        try AliasDefinition(name: name, json: JSON.parse(text), path: name)
    }

    func testSaveLoadDeleteRoundTrip() throws {
        let fast = try alias(
            "fast",
            #"""
            {"strategy": "weighted", "description": "cheap and quick",
             "targets": [{"model": "openai/gpt-4o-mini", "weight": 3}, "groq/llama-3.3-70b"]}
            """#)
        let smart = try alias(
            "smart",
            #"""
            {"strategy": "category", "classifier_model": "openai/gpt-4o-mini",
             "categories": [{"name": "code", "keywords": ["swift", "bug"], "strategy": "lowest_latency",
                             "targets": ["anthropic/claude-sonnet-4", "openai/gpt-4.1"]}],
             "default": {"targets": ["openai/gpt-4o-mini"]}}
            """#)
        let store = try openStore()
        XCTAssertEqual(try store.aliases.loadAliases(), [])
        let loopThread = pthread_self()
        var onLoop = true
        for definition in [fast, smart] {
            let error = wait { done in
                store.aliases.saveAlias(definition) { error in
                    if pthread_equal(pthread_self(), loopThread) == 0 { onLoop = false }
                    done(error)
                }
            }
            XCTAssertNil(error ?? StoreError("timed out"))
        }
        XCTAssertTrue(onLoop, "completions run on the loop thread")
        XCTAssertEqual(try store.aliases.loadAliases(), [fast, smart])
        close(store)

        // Saved in the file: a new store (as after a restart) loads them.
        let reopened = try openStore()
        XCTAssertEqual(try reopened.aliases.loadAliases(), [fast, smart])
        // Saving again replaces the definition and makes it the most recent save.
        var faster = fast
        faster.targets = [AliasTarget(model: ModelID(provider: "groq", model: "llama-3.3-70b"), weight: 1)]
        XCTAssertNil(wait { reopened.aliases.saveAlias(faster, completion: $0) } ?? StoreError("timed out"))
        XCTAssertEqual(try reopened.aliases.loadAliases(), [smart, faster])
        XCTAssertNil(wait { reopened.aliases.deleteAlias(named: "smart", completion: $0) } ?? StoreError("timed out"))
        XCTAssertEqual(try reopened.aliases.loadAliases(), [faster])
        // Deleting an alias that is not saved is not an error.
        XCTAssertNil(wait { reopened.aliases.deleteAlias(named: "smart", completion: $0) } ?? StoreError("timed out"))
        close(reopened)
        XCTAssertThrowsError(try reopened.aliases.loadAliases()) { XCTAssertTrue("\($0)".contains("closed")) }
        try closeLoop()
    }

    func testARowThatNoLongerParsesNamesTheAlias() throws {
        let store = try openStore()
        close(store)
        let other = try otherConnection()
        try other.execute(#"INSERT INTO aliases VALUES ('broken', '{"strategy": "sideways", "targets": ["a/b"]}', 1)"#)
        try other.close()
        let reopened = try openStore()
        XCTAssertThrowsError(try reopened.aliases.loadAliases()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("aliases row \"broken\""), text)
            XCTAssertTrue(text.contains("sideways"), text)
        }
        close(reopened)
        try closeLoop()
    }
}
