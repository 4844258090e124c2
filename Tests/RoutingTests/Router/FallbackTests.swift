import JSON
import XCTest

@testable import Routing

final class FallbackTests: XCTestCase {
    func testSecondModelAnswersAfterA429AndBothAttemptsAreRecorded() throws {
        let fixture = RouterFixture()
        fixture.transport.script("m1", Replies.error(429, "slow down", retryAfter: "2"))
        fixture.transport.script("m2", Replies.completion("hello"))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2"], "messages": [["role": "user", "content": "hi"]]])
        let body = try XCTUnwrap(events.first?.completionBody)
        XCTAssertEqual(body["model"]?.stringValue, "b/m2")
        XCTAssertEqual(body["provider"]?.stringValue, "b")
        XCTAssertEqual(body["choices"]?[0]?["message"]?["content"]?.stringValue, "hello")
        XCTAssertTrue(body["id"]?.stringValue?.hasPrefix("gen-") ?? false)
        XCTAssertNotNil(body["usage"]?["cost"])
        XCTAssertEqual(fixture.usage.rows.count, 1)
        let row = fixture.usage.rows[0]
        XCTAssertEqual(row.id, body["id"]?.stringValue)
        XCTAssertEqual(row.requestedModel, "a/m1")
        XCTAssertEqual(row.resolvedModel, id("b/m2"))
        XCTAssertEqual(row.attempts.map(\.outcome), ["rate_limited", "ok"])
        XCTAssertEqual(row.attempts.first?.status, 429)
        XCTAssertEqual(row.usage, TokenUsage(prompt: 10, completion: 5))
        XCTAssertEqual(row.status, "ok")
        // The gateway fields never go upstream.
        XCTAssertNil(try JSON.parse(fixture.transport.sent[0].request.body!)["models"])
    }

    func testBadRequestIsReturnedAtOnceWithoutTryingTheRest() throws {
        let fixture = RouterFixture()
        fixture.transport.script("m1", Replies.error(400, "messages[0].role is invalid"))
        fixture.transport.script("m2", Replies.completion("never"))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2"], "messages": []])
        let error = try XCTUnwrap(events.first?.failure)
        XCTAssertEqual(error.status, 400)
        XCTAssertEqual(fixture.transport.sent.count, 1)
        XCTAssertEqual(fixture.usage.rows.first?.status, "error")
        XCTAssertEqual(fixture.usage.rows.first?.httpStatus, 400)
    }

    func testAllFailingReturnsTheLastErrorWithEveryAttempt() throws {
        let fixture = RouterFixture()
        fixture.transport.script("m1", Replies.error(500, "boom"))
        fixture.transport.script("m2", .failure(.connectFailed("connection refused")))
        fixture.transport.script("m3", .failure(.timedOut("first byte after 60000 ms")))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2", "c/m3"], "messages": []])
        let error = try XCTUnwrap(events.first?.failure)
        XCTAssertEqual(error.status, 504)
        XCTAssertEqual(error.attempts.map(\.outcome), ["server_error", "connection_failed", "timeout"])
        XCTAssertTrue(error.message.contains("All 3 attempts failed"), error.message)
        let rendered = JSON.object(error.openAIBody)
        XCTAssertEqual(rendered["error"]?["metadata"]?["attempts"]?.arrayValue?.count, 3)
        XCTAssertEqual(fixture.usage.rows.first?.attempts.count, 3)
    }

    func testContextTooLongSkipsToAModelWithALargerWindow() throws {
        let models = [
            ModelInfo(id: id("a/small"), contextLength: 8000), ModelInfo(id: id("b/same"), contextLength: 8000),
            ModelInfo(id: id("c/big"), contextLength: 200_000),
        ]
        let fixture = RouterFixture(models: models)
        fixture.transport.script("small", Replies.error(400, "maximum context length exceeded"))
        fixture.transport.script("big", Replies.completion("fits"))
        let events = fixture.chat(["model": "a/small", "models": ["b/same", "c/big"], "messages": []])
        XCTAssertEqual(events.first?.completionBody?["model"]?.stringValue, "c/big")
        XCTAssertEqual(fixture.usage.rows[0].attempts.map(\.outcome), ["context_too_long", "skipped", "ok"])
        XCTAssertEqual(fixture.transport.sent.map(\.model), ["small", "big"])
    }

    func testUnknownModelIs404AndStillRecorded() throws {
        let fixture = RouterFixture()
        let events = fixture.chat(["model": "nonsense", "messages": []])
        let error = try XCTUnwrap(events.first?.failure)
        XCTAssertEqual(error.status, 404)
        XCTAssertEqual(error.code, "model_not_found")
        XCTAssertTrue(error.message.contains("provider/model"), error.message)
        XCTAssertEqual(fixture.usage.rows.count, 1)
        XCTAssertEqual(fixture.usage.rows[0].httpStatus, 404)
        let unknownProvider = try XCTUnwrap(fixture.chat(["model": "zz/m", "messages": []]).first?.failure)
        XCTAssertEqual(unknownProvider.status, 404)
        XCTAssertTrue(unknownProvider.message.contains("a, b, c"), unknownProvider.message)
    }

    func testBareNameResolvesThroughTheCatalog() throws {
        let fixture = RouterFixture(models: [ModelInfo(id: id("b/gpt-x"))])
        fixture.transport.script("gpt-x", Replies.completion("ok"))
        let events = fixture.chat(["model": "gpt-x", "messages": []])
        XCTAssertEqual(events.first?.completionBody?["model"]?.stringValue, "b/gpt-x")
    }

    func testCancelStopsTheTransferAndRecordsTheRequest() {
        let fixture = RouterFixture()
        fixture.transport.script("slow", .hang)
        var events: [ChatEvent] = []
        let handle = fixture.router.chat(
            ChatRequest(body: ["model": "a/slow", "messages": []]), context: RequestContext(face: "mcp")
        ) {
            events.append($0)
        }
        fixture.transport.run()
        handle.cancel()
        XCTAssertTrue(fixture.transport.calls[0].cancelled)
        XCTAssertTrue(events.isEmpty)
        XCTAssertEqual(fixture.usage.rows.first?.status, "cancelled")
        XCTAssertEqual(fixture.usage.rows.first?.face, "mcp")
        XCTAssertEqual(fixture.router.health.health(of: id("a/slow")).inFlight, 0)
    }

    func testDefaultModelFromContextThenSettings() throws {
        let fixture = RouterFixture()
        fixture.transport.script("chosen", Replies.completion("ok"))
        let events = fixture.chat(["messages": []], context: RequestContext(face: "mcp", defaultModel: "c/chosen"))
        XCTAssertEqual(events.first?.completionBody?["model"]?.stringValue, "c/chosen")
        let missing = try XCTUnwrap(fixture.chat(["messages": []]).first?.failure)
        XCTAssertEqual(missing.code, "model_required")
    }

    func testTagsAndKeyAreRecorded() {
        let fixture = RouterFixture()
        fixture.transport.script("m", Replies.completion("ok"))
        _ = fixture.chat(
            ["model": "a/m", "tags": ["team-x", 3], "messages": []],
            context: RequestContext(
                face: "http", principal: .key(APIKey(id: "key-1", secretHash: "h", name: "k", tags: ["key-tag"])),
                extraTags: ["from-context"]))
        XCTAssertEqual(fixture.usage.rows[0].tags, ["team-x", "from-context", "key-tag"])
        XCTAssertEqual(fixture.usage.rows[0].keyID, "key-1")
    }
}
