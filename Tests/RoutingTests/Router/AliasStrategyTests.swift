import JSON
import XCTest

@testable import Routing

final class AliasStrategyTests: XCTestCase {
    private func alias(_ strategy: SelectionStrategy, _ targets: [AliasTarget]) -> AliasDefinition {
        AliasDefinition(name: "pool", strategy: strategy, targets: targets)
    }

    private func chosen(_ fixture: RouterFixture, _ body: JSONObject = ["model": "pool", "messages": []]) -> String? {
        fixture.chat(body).first?.completionBody?["model"]?.stringValue
    }

    func testPriorityTakesTheFirstAndFallsBackInOrder() {
        let fixture = RouterFixture(aliases: [
            alias(.priority, [AliasTarget(model: id("a/x")), AliasTarget(model: id("b/y"))])
        ])
        fixture.transport.script("x", Replies.error(500, "down"))
        fixture.transport.script("y", Replies.completion("ok"))
        XCTAssertEqual(chosen(fixture), "b/y")
        XCTAssertEqual(fixture.usage.rows[0].requestedModel, "pool")
    }

    func testWeightedDrawsFollowTheWeightsWithinTolerance() {
        let random = SeededRandom(seed: 42)
        let fixture = RouterFixture(
            aliases: [
                alias(
                    .weighted,
                    [
                        AliasTarget(model: id("a/x"), weight: 3),
                        AliasTarget(model: id("b/y"), weight: 1),
                        AliasTarget(model: id("c/z"), weight: 0),
                    ])
            ],
            random: random.next)
        for model in ["x", "y", "z"] { fixture.transport.script(model, Replies.completion(model)) }
        var counts: [String: Int] = [:]
        let draws = 4000
        for _ in 0..<draws { counts[chosen(fixture) ?? "none", default: 0] += 1 }
        XCTAssertEqual(Double(counts["a/x"] ?? 0) / Double(draws), 0.75, accuracy: 0.03)
        XCTAssertEqual(Double(counts["b/y"] ?? 0) / Double(draws), 0.25, accuracy: 0.03)
        XCTAssertNil(counts["c/z"], "a zero weight is never drawn first")
    }

    func testWeightedFallbackStillReachesEveryTarget() {
        let fixture = RouterFixture(aliases: [
            alias(
                .weighted,
                [
                    AliasTarget(model: id("a/x"), weight: 1),
                    AliasTarget(model: id("b/y"), weight: 1),
                ])
        ])
        fixture.transport.script("x", Replies.error(500, "down"))
        fixture.transport.script("y", Replies.error(500, "down"))
        let error = fixture.chat(["model": "pool", "messages": []]).first?.failure
        XCTAssertEqual(error?.attempts.count, 2)
    }

    func testLowestLatencyMovesToTheFasterTargetOnceMeasured() {
        let fixture = RouterFixture(aliases: [
            alias(.lowestLatency, [AliasTarget(model: id("a/slow")), AliasTarget(model: id("b/fast"))])
        ])
        // Each reply "takes" time: the transport delivers at once, so advance the clock around the delivery.
        let clock = fixture.clock
        fixture.transport.script("slow", Replies.completion("s"))
        fixture.transport.script("fast", Replies.completion("f"))
        func timed(_ seconds: Double) -> String? {
            var events: [ChatEvent] = []
            fixture.router.chat(ChatRequest(body: ["model": "pool", "messages": []]), context: RequestContext(face: "http"))
            { events.append($0) }
            clock.seconds += seconds
            fixture.transport.run()
            return events.first?.completionBody?["model"]?.stringValue
        }
        XCTAssertEqual(timed(0.5), "a/slow")  // unmeasured: tried in order to measure
        XCTAssertEqual(timed(0.05), "b/fast")  // a/slow measured; b/fast still unmeasured → tried
        XCTAssertEqual(timed(0.05), "b/fast")  // both measured: fast wins
        XCTAssertEqual(timed(0.05), "b/fast")
        let explanation = try? fixture.router.explain(
            ChatRequest(body: ["model": "pool"]), context: RequestContext(face: "http"))
        XCTAssertEqual(explanation?["chosen"]?.stringValue, "b/fast")
        XCTAssertNotNil(explanation?["candidates"]?[0]?["health"]?["ttft_ms"]?.doubleValue)
    }

    func testHighestThroughputPrefersMoreTokensPerSecond() {
        let fixture = RouterFixture(aliases: [
            alias(.highestThroughput, [AliasTarget(model: id("a/x")), AliasTarget(model: id("b/y"))])
        ])
        let health = fixture.router.health
        health.started(id("a/x"))
        health.succeeded(
            id("a/x"), latencyMilliseconds: 1000, timeToFirstTokenMilliseconds: nil, usage: TokenUsage(completion: 50),
            streamed: false)
        health.started(id("b/y"))
        health.succeeded(
            id("b/y"), latencyMilliseconds: 1000, timeToFirstTokenMilliseconds: nil, usage: TokenUsage(completion: 500),
            streamed: false)
        fixture.transport.script("x", Replies.completion("x"))
        fixture.transport.script("y", Replies.completion("y"))
        XCTAssertEqual(chosen(fixture), "b/y")
    }

    func testLowestUsageAvoidsTheBusyTarget() {
        let fixture = RouterFixture(aliases: [
            alias(.lowestUsage, [AliasTarget(model: id("a/x")), AliasTarget(model: id("b/y"))])
        ])
        fixture.transport.script("x", .hang)
        fixture.transport.script("y", .hang)
        var picks: [String] = []
        for _ in 0..<4 {
            fixture.router.chat(ChatRequest(body: ["model": "pool", "messages": []]), context: RequestContext(face: "http"))
            { _ in }
            picks.append(fixture.transport.sent.last!.model)
        }
        XCTAssertEqual(picks, ["x", "y", "x", "y"])
    }

    func testLowestPriceUsesCatalogPrices() {
        let models = [
            ModelInfo(id: id("a/pricey"), pricing: Pricing(input: 10, output: 30)),
            ModelInfo(id: id("b/cheap"), pricing: Pricing(input: 0.1, output: 0.4)),
            ModelInfo(id: id("c/mid"), pricing: Pricing(input: 1, output: 2)),
        ]
        let fixture = RouterFixture(aliases: [alias(.lowestPrice, models.map { AliasTarget(model: $0.id) })], models: models)
        for model in ["pricey", "cheap", "mid"] { fixture.transport.script(model, Replies.completion(model)) }
        XCTAssertEqual(chosen(fixture), "b/cheap")
        fixture.transport.script("cheap", Replies.error(503, "busy"))
        _ = fixture.chat(["model": "pool", "messages": []])
        XCTAssertEqual(fixture.transport.sent.suffix(2).map(\.model), ["cheap", "mid"], "fallback follows price order")
    }

    func testCategoryRoutingSendsCodingPromptsToTheCodingGroup() {
        let coding = AliasCategory(
            name: "coding", keywords: ["code", "python", "stack trace"], targets: [AliasTarget(model: id("a/coder"))])
        let writing = AliasCategory(
            name: "writing", keywords: ["poem", "essay"], targets: [AliasTarget(model: id("b/writer"))])
        let fallback = AliasCategory(name: "default", targets: [AliasTarget(model: id("c/general"))])
        let fixture = RouterFixture(aliases: [
            AliasDefinition(
                name: "auto", strategy: .category, categories: [coding, writing],
                defaultCategory: fallback)
        ])
        for model in ["coder", "writer", "general"] { fixture.transport.script(model, Replies.completion(model)) }
        func route(_ prompt: String) -> String? {
            chosen(fixture, ["model": "auto", "messages": [["role": "user", "content": .string(prompt)]]])
        }
        XCTAssertEqual(route("Fix this Python function, it throws a stack trace"), "a/coder")
        XCTAssertEqual(route("Write a short poem about rain"), "b/writer")
        XCTAssertEqual(route("How do I encode a URL?"), "c/general", "'code' must match whole words only")
        XCTAssertEqual(route("What is the capital of France?"), "c/general")
        let explanation = try? fixture.router.explain(
            ChatRequest(body: ["model": "auto", "messages": [["role": "user", "content": "review my code"]]]),
            context: RequestContext(face: "http"))
        XCTAssertEqual(explanation?["category"]?["name"]?.stringValue, "coding")
    }

    func testClassifierModelDecidesWhenNoKeywordMatches() {
        let coding = AliasCategory(name: "coding", keywords: ["python"], targets: [AliasTarget(model: id("a/coder"))])
        let math = AliasCategory(name: "math", targets: [AliasTarget(model: id("b/mathematician"))])
        let fixture = RouterFixture(aliases: [
            AliasDefinition(
                name: "auto", strategy: .category, categories: [coding, math],
                defaultCategory: AliasCategory(name: "default", targets: [AliasTarget(model: id("c/general"))]),
                classifierModel: id("c/classifier"))
        ])
        fixture.transport.script("classifier", Replies.completion("Math."))
        fixture.transport.script("mathematician", Replies.completion("42"))
        let events = fixture.chat(["model": "auto", "messages": [["role": "user", "content": "integrate x^2 from 0 to 3"]]])
        XCTAssertEqual(events.first?.completionBody?["model"]?.stringValue, "b/mathematician")
        XCTAssertEqual(fixture.usage.rows.count, 2, "the classifier call is recorded too")
        XCTAssertEqual(fixture.usage.rows[0].tags, ["classifier"])
    }

    func testAliasesChangeAtRunTime() throws {
        let fixture = RouterFixture()
        fixture.transport.script("y", Replies.completion("ok"))
        var result: Result<Void, RoutingError>?
        fixture.router.setAlias(alias(.priority, [AliasTarget(model: id("b/y"))])) { result = $0 }
        XCTAssertNoThrow(try result?.get())
        XCTAssertEqual(chosen(fixture), "b/y")
        fixture.router.setAlias(
            AliasDefinition(name: "bad", strategy: .priority, targets: [AliasTarget(model: id("nope/y"))])
        ) { result = $0 }
        XCTAssertThrowsError(try result?.get())
        fixture.router.deleteAlias(named: "pool") { result = $0 }
        XCTAssertNoThrow(try result?.get())
        XCTAssertEqual(fixture.chat(["model": "pool", "messages": []]).first?.failure?.status, 404)
    }
}
