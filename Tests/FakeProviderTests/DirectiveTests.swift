import FakeProvider
import HTTPClient
import JSON
import XCTest

/// Behaviour scripted by the model name, in each provider's shape.
final class DirectiveTests: XCTestCase {
    func testStatusWithRetryAfterInEachShape() throws {
        let harness = try FakeHarness()
        let openAI = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+status-429+retry-after-7"))
        XCTAssertEqual(openAI.status, 429)
        XCTAssertEqual(openAI.head?.header("Retry-After"), "7")
        XCTAssertEqual(openAI.json()["error"]?["type"], "requests")
        XCTAssertEqual(openAI.json()["error"]?["code"], "rate_limit_exceeded")
        XCTAssertNotNil(openAI.json()["error"]?["message"]?.stringValue)

        let anthropic = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+status-529"),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(anthropic.status, 529)
        XCTAssertNil(anthropic.head?.header("Retry-After"))
        XCTAssertEqual(anthropic.json()["type"], "error")
        XCTAssertEqual(anthropic.json()["error"]?["type"], "overloaded_error")

        let gemini = harness.send("/v1beta/models/gemini-fake+status-503:generateContent", json: Bodies.gemini())
        XCTAssertEqual(gemini.status, 503)
        XCTAssertEqual(gemini.json()["error"]?["code"], 503)
        XCTAssertEqual(gemini.json()["error"]?["status"], "UNAVAILABLE")

        let server = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+status-500", stream: true))
        XCTAssertEqual(server.status, 500, "error directives win over streaming")
        XCTAssertEqual(server.json()["error"]?["type"], "server_error")
        try harness.finish()
    }

    func testContextTooLongBodies() throws {
        let harness = try FakeHarness()
        let openAI = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+context-too-long"))
        XCTAssertEqual(openAI.status, 400)
        XCTAssertEqual(openAI.json()["error"]?["code"], "context_length_exceeded")
        XCTAssertEqual(openAI.json()["error"]?["type"], "invalid_request_error")
        let anthropic = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+context-too-long"),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(anthropic.status, 400)
        XCTAssertEqual(
            anthropic.json(),
            [
                "type": "error",
                "error": [
                    "type": "invalid_request_error", "message": "prompt is too long: 250000 tokens > 200000 maximum",
                ],
            ])
        let gemini = harness.send("/v1beta/models/gemini-fake+context-too-long:generateContent", json: Bodies.gemini())
        XCTAssertEqual(gemini.status, 400)
        XCTAssertEqual(
            gemini.json(),
            [
                "error": [
                    "code": 400, "status": "INVALID_ARGUMENT",
                    "message": "The input token count (250000) exceeds the maximum number of tokens allowed (32768).",
                ]
            ])
        try harness.finish()
    }

    func testContentFilterInEachShape() throws {
        let harness = try FakeHarness()
        let openAI = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+content-filter"))
        XCTAssertEqual(openAI.status, 400)
        XCTAssertEqual(openAI.json()["error"]?["code"], "content_filter")
        let anthropic = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+content-filter"),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(anthropic.status, 200)
        XCTAssertEqual(anthropic.json()["stop_reason"], "refusal")
        XCTAssertEqual(anthropic.json()["content"], [])
        let refusedStream = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+content-filter", stream: true),
            headers: Bodies.anthropicHeaders
        ).events
        XCTAssertEqual(refusedStream.map(\.event), ["message_start", "ping", "message_delta", "message_stop"])
        XCTAssertEqual(refusedStream[2].json?["delta"]?["stop_reason"], "refusal")
        let gemini = harness.send("/v1beta/models/gemini-fake+content-filter:generateContent", json: Bodies.gemini())
        XCTAssertEqual(gemini.status, 200)
        XCTAssertEqual(gemini.json()["promptFeedback"]?["blockReason"], "SAFETY")
        XCTAssertNil(gemini.json()["candidates"])
        try harness.finish()
    }

    func testHangUntilTheClientGivesUp() throws {
        let harness = try FakeHarness()
        let exchange = harness.start("/v1/chat/completions", json: Bodies.openAI("gpt-fake+hang")) {
            $0.totalTimeoutMilliseconds = 150
        }
        harness.run { exchange.isDone }
        guard case .timedOut? = exchange.error else {
            return XCTFail("expected a client timeout, got \(String(describing: exchange.result))")
        }
        XCTAssertNil(exchange.head)
        XCTAssertGreaterThanOrEqual(exchange.elapsedMilliseconds, 140)
        // The client closed its connection: the fake notices and cleans up the hanging request.
        harness.run { harness.server.cancelledRequests == 1 }
        XCTAssertEqual(harness.server.requestCount(for: "gpt-fake+hang"), 1)
        try harness.finish()
    }

    func testHangingRequestsEndWhenTheServerCloses() throws {
        let harness = try FakeHarness()
        let exchange = harness.start(
            "/v1/messages", json: Bodies.anthropic("claude-fake+hang"),
            headers: Bodies.anthropicHeaders)
        harness.run { harness.server.totalRequests == 1 }
        var closed = false
        harness.server.close { closed = true }
        // Closing must not wait for the hanging answer: the connection goes, the client sees it.
        harness.run { closed && exchange.isDone }
        XCTAssertNotNil(exchange.error)
        XCTAssertEqual(harness.server.cancelledRequests, 1)
        try harness.finish()
    }

    func testLatencyAndChunkDelay() throws {
        let harness = try FakeHarness()
        let slow = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+latency-120"))
        XCTAssertEqual(slow.status, 200)
        XCTAssertGreaterThanOrEqual(slow.elapsedMilliseconds, 110)

        let paced = harness.send(
            "/v1/chat/completions", json: Bodies.openAI("gpt-fake+chunk-delay-25+chunks-4", stream: true))
        // role + 4 words + finish + [DONE] = 7 events, 6 gaps of 25 ms.
        XCTAssertEqual(paced.events.count, 7)
        XCTAssertGreaterThanOrEqual(paced.elapsedMilliseconds, 140)
        XCTAssertGreaterThanOrEqual(paced.chunks.count, 5, "events arrive one by one, not in one read")
        XCTAssertEqual(paced.events.last?.data, "[DONE]")
        try harness.finish()
    }

    func testCutAfterEndsTheStreamWithoutItsTerminator() throws {
        let harness = try FakeHarness()
        let openAI = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+cut-after-2", stream: true))
        XCTAssertEqual(openAI.status, 200)
        XCTAssertNotNil(openAI.error, "the transfer is cut (no final chunk), not a clean end")
        XCTAssertEqual(
            openAI.events.map { $0.json?["choices"]?[0]?["delta"] },
            [["role": "assistant", "content": ""], ["content": "Fake"], ["content": " answer"]])
        XCTAssertFalse(openAI.text.contains("[DONE]"))
        XCTAssertFalse(openAI.text.contains("\"finish_reason\":\"stop\""))

        let anthropic = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+cut-after-1+chunk-delay-5", stream: true),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(
            anthropic.events.map(\.event), ["message_start", "content_block_start", "ping", "content_block_delta"])

        let gemini = harness.send(
            "/v1beta/models/gemini-fake+cut-after-3:streamGenerateContent?alt=sse", json: Bodies.gemini())
        XCTAssertEqual(gemini.events.count, 3)
        XCTAssertFalse(gemini.text.contains("finishReason"))

        let plain = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+cut-after-0"))
        XCTAssertEqual(plain.status, 200)
        XCTAssertNotNil(plain.error, "the transfer is cut mid-body")
        XCTAssertThrowsError(try JSON.parse(plain.body), "half a JSON body")
        XCTAssertTrue(plain.text.hasPrefix("{\"id\":\"chatcmpl-fake-"))
        try harness.finish()
    }

    func testInvalidJSONPlainAndStreamed() throws {
        let harness = try FakeHarness()
        let plain = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+invalid-json"))
        XCTAssertEqual(plain.status, 200)
        XCTAssertEqual(plain.head?.header("Content-Type"), "application/json")
        XCTAssertThrowsError(try JSON.parse(plain.body))

        let streamed = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+invalid-json", stream: true),
            headers: Bodies.anthropicHeaders
        ).events
        let spoiled = streamed.filter { $0.json == nil }
        XCTAssertEqual(spoiled.count, 1)
        XCTAssertEqual(spoiled.first?.event, "content_block_delta")
        XCTAssertEqual(streamed.last?.event, "message_stop")
        try harness.finish()
    }

    func testFailFirstCountsPerModelName() throws {
        let harness = try FakeHarness()
        let model = "gpt-fake+fail-first-2"
        let statuses = (0..<3).map { _ in harness.send("/v1/chat/completions", json: Bodies.openAI(model)).status }
        XCTAssertEqual(statuses, [500, 500, 200])
        // Another name has its own count.
        XCTAssertEqual(harness.send("/v1/chat/completions", json: Bodies.openAI("other+fail-first-1")).status, 500)
        XCTAssertEqual(harness.server.requestCount(for: model), 3)
        // A reset starts the count again.
        XCTAssertEqual(harness.send("/fake/reset").status, 204)
        XCTAssertEqual(harness.send("/v1/chat/completions", json: Bodies.openAI(model)).status, 500)
        try harness.finish()
    }

    func testUnknownDirectiveIsALoud400() throws {
        let harness = try FakeHarness()
        let openAI = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+latncy-50"))
        XCTAssertEqual(openAI.status, 400)
        let message = openAI.json()["error"]?["message"]?.stringValue ?? ""
        XCTAssertTrue(message.contains("'latncy-50'"), message)
        let anthropic = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+status-200"),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(anthropic.status, 400)
        XCTAssertEqual(anthropic.json()["error"]?["type"], "invalid_request_error")
        XCTAssertTrue(anthropic.json()["error"]?["message"]?.stringValue?.contains("'status-200'") ?? false)
        try harness.finish()
    }
}
