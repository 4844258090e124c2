import JSON
import XCTest

@testable import Routing

/// `TokenUsage` read from OpenAI-shaped usage objects.
final class ChatResultTests: XCTestCase {
    func testOpenRoutersCacheWritesAreReadAndWrittenTheWayOpenRouterWritesThem() throws {
        // OpenRouter's usage accounting: prompt_tokens counts the cache reads and writes.
        let usage = try XCTUnwrap(
            TokenUsage(
                openAI: [
                    "prompt_tokens": 194, "completion_tokens": 2, "total_tokens": 196,
                    "prompt_tokens_details": ["cached_tokens": 10, "cache_write_tokens": 100, "audio_tokens": 0],
                    "completion_tokens_details": ["reasoning_tokens": 1],
                ]))
        XCTAssertEqual(usage, TokenUsage(prompt: 194, completion: 2, cached: 10, cacheWrite: 100, reasoning: 1))
        XCTAssertEqual(
            usage.openAIObject,
            [
                "prompt_tokens": 194, "completion_tokens": 2, "total_tokens": 196,
                "prompt_tokens_details": ["cached_tokens": 10, "cache_write_tokens": 100],
                "completion_tokens_details": ["reasoning_tokens": 1],
            ])
        XCTAssertNil(
            TokenUsage(prompt: 5).openAIObject["prompt_tokens_details"]?["cache_write_tokens"],
            "OpenAI's own shape when nothing was written to a cache")
        XCTAssertNil(TokenUsage(openAI: .null))
    }
}
