import XCTest

@testable import Routing

/// `Pricing`: what one call's usage costs.
final class ModelInfoTests: XCTestCase {
    /// Claude Sonnet's prices: $3 input, $15 output, $0.30 cache read, $3.75 cache write (1.25 × input).
    private let sonnet = Pricing(input: 3, output: 15, cachedInput: 0.30, cacheWrite: 3.75)
    /// Anthropic's `input 100, cache_creation 500, cache_read 1000, output 50`, as the adapter counts it.
    private let cachedCall = TokenUsage(prompt: 1600, completion: 50, cached: 1000, cacheWrite: 500)

    func testCacheWritesCostTheCacheWritePrice() {
        // 100 × 3 + 500 × 3.75 + 1000 × 0.30 + 50 × 15, per million.
        XCTAssertEqual(sonnet.cost(of: cachedCall), (300 + 1875 + 300 + 750) / 1_000_000, accuracy: 1e-15)
    }

    func testWithoutACacheWritePriceCacheWritesCostTheInputPrice() {
        var pricing = sonnet
        pricing.cacheWrite = nil
        XCTAssertEqual(pricing.cost(of: cachedCall), (300 + 1500 + 300 + 750) / 1_000_000, accuracy: 1e-15)
        XCTAssertEqual(
            Pricing(input: 3, output: 15).cost(of: cachedCall), (1600 * 3 + 50 * 15) / 1_000_000, accuracy: 1e-15)
    }

    func testInconsistentCountsNeverPriceMoreTokensThanThePromptHas() {
        // Reads and writes adding up to more than the prompt: reads first, writes get what is left, nothing is fresh.
        let usage = TokenUsage(prompt: 100, cached: 80, cacheWrite: 50)
        XCTAssertEqual(sonnet.cost(of: usage), (80 * 0.30 + 20 * 3.75) / 1_000_000, accuracy: 1e-15)
    }

    /// A budget reservation must cover a prompt written to the cache whole; ranking by price assumes no caching.
    func testTheMaximumCostPricesThePromptAsACacheWriteAndTheEstimateAsInput() {
        XCTAssertEqual(sonnet.maximumCost(promptTokens: 1000, maxOutput: 100), (1000 * 3.75 + 100 * 15) / 1_000_000)
        XCTAssertEqual(sonnet.estimatedCost(promptTokens: 1000, outputTokens: 100), (1000 * 3 + 100 * 15) / 1_000_000)
        let cheapWrites = Pricing(input: 3, output: 15, cacheWrite: 1)
        XCTAssertEqual(cheapWrites.maximumCost(promptTokens: 1000, maxOutput: 0), 1000 * 3 / 1_000_000)
    }
}
