import FakeProvider
import JSON
import XCTest

/// The Anthropic face: `message` objects, the real event sequence, header checks.
final class AnthropicFormatTests: XCTestCase {
    func testPlainMessage() throws {
        let harness = try FakeHarness()
        let exchange = harness.send("/v1/messages", json: Bodies.anthropic("claude-fake"), headers: Bodies.anthropicHeaders)
        XCTAssertEqual(exchange.status, 200)
        let body = exchange.json()
        XCTAssertEqual(body["type"], "message")
        XCTAssertEqual(body["role"], "assistant")
        XCTAssertEqual(body["model"], "claude-fake")
        XCTAssertEqual(body["content"], [["type": "text", "text": "Fake answer from claude-fake: hello world"]])
        XCTAssertEqual(body["stop_reason"], "end_turn")
        XCTAssertEqual(body["usage"]?["input_tokens"], 5)
        XCTAssertEqual(body["usage"]?["output_tokens"], 6)
        try harness.finish()
    }

    func testStreamFollowsTheRealEventSequence() throws {
        let harness = try FakeHarness()
        let exchange = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake", "hi", stream: true),
            headers: Bodies.anthropicHeaders)
        XCTAssertEqual(exchange.head?.header("Content-Type"), "text/event-stream")
        let events = exchange.events
        XCTAssertEqual(
            events.map(\.event),
            [
                "message_start", "content_block_start", "ping",
                "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ])
        for event in events { XCTAssertEqual(event.json?["type"]?.stringValue, event.event, "data.type names the event") }
        let start = events[0].json?["message"]
        XCTAssertEqual(start?["model"], "claude-fake")
        XCTAssertEqual(start?["content"], [])
        XCTAssertEqual(start?["usage"]?["input_tokens"], 2)  // "Be brief." + "hi" = 11 bytes
        XCTAssertEqual(events[1].json?["content_block"], ["type": "text", "text": ""])
        let text = events.compactMap { $0.json?["delta"]?["text"]?.stringValue }.joined()
        XCTAssertEqual(text, "Fake answer from claude-fake: hi")
        XCTAssertEqual(events[3].json?["delta"], ["type": "text_delta", "text": "Fake"])
        XCTAssertEqual(events[9].json?["delta"]?["stop_reason"], "end_turn")
        XCTAssertEqual(events[9].json?["usage"], ["output_tokens": 5])
        try harness.finish()
    }

    func testMissingHeadersAndMaxTokensAreRefusedLikeTheRealAPI() throws {
        let harness = try FakeHarness()
        let noKey = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake"),
            headers: [("anthropic-version", "2023-06-01")])
        XCTAssertEqual(noKey.status, 401)
        XCTAssertEqual(
            noKey.json(),
            [
                "type": "error",
                "error": [
                    "type": "authentication_error",
                    "message": "x-api-key header is required",
                ],
            ])
        let noVersion = harness.send("/v1/messages", json: Bodies.anthropic("claude-fake"), headers: [("x-api-key", "k")])
        XCTAssertEqual(noVersion.status, 400)
        XCTAssertEqual(noVersion.json()["error"]?["type"], "invalid_request_error")
        XCTAssertEqual(noVersion.json()["error"]?["message"], "anthropic-version: header is required")
        var body = Bodies.anthropic("claude-fake")
        body["max_tokens"] = nil
        let noMax = harness.send("/v1/messages", json: body, headers: Bodies.anthropicHeaders)
        XCTAssertEqual(noMax.status, 400)
        XCTAssertEqual(noMax.json()["error"]?["message"], "max_tokens: Field required")
        try harness.finish()
    }

    func testToolUsePlainAndStreamed() throws {
        let harness = try FakeHarness()
        let tools: JSON = ["tools": [["name": "get_weather", "input_schema": Bodies.weatherParameters]]]
        let plain = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+tools", extra: tools),
            headers: Bodies.anthropicHeaders
        ).json()
        XCTAssertEqual(plain["stop_reason"], "tool_use")
        XCTAssertEqual(plain["content"]?[0]?["type"], "tool_use")
        XCTAssertEqual(plain["content"]?[0]?["name"], "get_weather")
        XCTAssertEqual(plain["content"]?[0]?["input"], ["city": "fake", "days": 0])

        let events = harness.send(
            "/v1/messages", json: Bodies.anthropic("claude-fake+tools", stream: true, extra: tools),
            headers: Bodies.anthropicHeaders
        ).events
        XCTAssertEqual(
            events.map(\.event),
            [
                "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop",
            ])
        XCTAssertEqual(events[1].json?["content_block"]?["type"], "tool_use")
        XCTAssertEqual(events[1].json?["content_block"]?["input"], [:])
        let partial = events.compactMap { $0.json?["delta"]?["partial_json"]?.stringValue }.joined()
        XCTAssertEqual(try JSON.parse(partial), ["city": "fake", "days": 0])
        XCTAssertEqual(events[6].json?["delta"]?["stop_reason"], "tool_use")
        try harness.finish()
    }

    func testModelListWithAnthropicHeaders() throws {
        let harness = try FakeHarness()
        let models = harness.send("/v1/models", method: "GET", headers: Bodies.anthropicHeaders).json()
        XCTAssertEqual(models["data"]?[0]?["type"], "model")
        XCTAssertEqual(models["has_more"], false)
        try harness.finish()
    }
}
