import JSON
import XCTest

@testable import Routing

final class StreamingTests: XCTestCase {
    func testFailoverBeforeTheFirstTokenIsInvisibleToTheClient() throws {
        let fixture = RouterFixture()
        // m1 sends a role chunk then breaks: no token reached the client, so m2 may still answer.
        fixture.transport.script("m1", .stream(chunks: [Replies.roleChunk], thenFail: .broken("connection reset")))
        fixture.transport.script(
            "m2",
            .stream(chunks: [
                Replies.roleChunk, Replies.chunk("Hel"), Replies.chunk("lo"),
                Replies.stopChunk, Replies.usageChunk, Replies.done,
            ]))
        let events = fixture.chat([
            "model": "a/m1", "models": ["b/m2"], "stream": true,
            "stream_options": ["include_usage": true], "messages": [],
        ])
        guard case .streamStarted(let model, let genID)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(model, id("b/m2"))
        let chunks = events.compactMap { event -> JSONObject? in
            if case .chunk(let c) = event { return c.object } else { return nil }
        }
        XCTAssertEqual(chunks.count, 5)  // role, Hel, lo, stop, usage
        XCTAssertTrue(chunks.allSatisfy { $0["id"]?.stringValue == genID && $0["model"]?.stringValue == "b/m2" })
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        XCTAssertEqual(text, "Hello")
        let usageChunk = try XCTUnwrap(chunks.last)
        XCTAssertEqual(usageChunk["usage"]?["total_tokens"]?.intValue, 10)
        XCTAssertNotNil(usageChunk["usage"]?["cost"])
        guard case .streamFinished(let outcome)? = events.last else { return XCTFail("\(events)") }
        XCTAssertEqual(outcome.attempts.map(\.outcome), ["connection_failed", "ok"])
        XCTAssertEqual(fixture.usage.rows.first?.usage.completion, 3)
        XCTAssertEqual(fixture.usage.rows.first?.stream, true)
        XCTAssertNotNil(fixture.usage.rows.first?.timeToFirstTokenMilliseconds)
    }

    func testAStreamCutAfterTokensEndsWithAnErrorNeverASilentSuccess() throws {
        let fixture = RouterFixture()
        fixture.transport.script("m1", .stream(chunks: [Replies.chunk("partial")]))  // ends without [DONE]
        fixture.transport.script("m2", .stream(chunks: [Replies.chunk("never"), Replies.done]))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2"], "stream": true, "messages": []])
        guard case .failed(let error, let started)? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(started)
        XCTAssertEqual(error.code, "stream_interrupted")
        XCTAssertEqual(fixture.transport.sent.count, 1)
        XCTAssertEqual(fixture.usage.rows.first?.status, "error")
    }

    func testNoUsageChunkUnlessAsked() {
        let fixture = RouterFixture()
        fixture.transport.script(
            "m", .stream(chunks: [Replies.chunk("x"), Replies.stopChunk, Replies.usageChunk, Replies.done]))
        let events = fixture.chat(["model": "a/m", "stream": true, "messages": []])
        let chunks = events.compactMap { event -> JSONObject? in
            if case .chunk(let c) = event { return c.object } else { return nil }
        }
        XCTAssertEqual(chunks.count, 2)
        XCTAssertTrue(chunks.allSatisfy { $0["usage"] == nil })
        XCTAssertEqual(fixture.usage.rows.first?.usage.total, 10)  // still recorded
    }

    func testAnErrorStatusOnAStreamFailsOver() throws {
        let fixture = RouterFixture()
        fixture.transport.script("m1", Replies.error(503, "overloaded"))
        fixture.transport.script("m2", .stream(chunks: [Replies.chunk("ok"), Replies.done]))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2"], "stream": true, "messages": []])
        guard case .streamStarted(let model, _)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(model, id("b/m2"))
    }
}
