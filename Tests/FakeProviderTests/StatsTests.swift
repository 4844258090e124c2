import FakeProvider
import JSON
import XCTest

/// `GET /fake/stats`, `POST /fake/reset` and the same figures in-process.
final class StatsTests: XCTestCase {
    func testStatsShowWhatWasAskedAndResetClearsThem() throws {
        let harness = try FakeHarness()
        let body = Bodies.openAI("gpt-fake")
        harness.send("/v1/chat/completions", json: body)
        harness.send("/v1/chat/completions", json: body)
        harness.send("/v1/messages", json: Bodies.anthropic("claude-fake"), headers: Bodies.anthropicHeaders)
        let last = Bodies.openAI("gpt-fake+status-429")
        harness.send(
            "/v1/chat/completions", json: last, headers: [("Authorization", "Bearer sk-upstream"), ("X-Trace", "t1")])

        let stats = harness.send("/fake/stats", method: "GET").json()
        XCTAssertEqual(stats["requests"], ["gpt-fake": 2, "claude-fake": 1, "gpt-fake+status-429": 1])
        XCTAssertEqual(stats["total"], 4, "control endpoints are not counted")
        XCTAssertEqual(stats["last_request"], last)
        XCTAssertEqual(stats["last_path"], "/v1/chat/completions")
        XCTAssertEqual(stats["last_headers"]?["authorization"], "Bearer sk-upstream")
        XCTAssertEqual(stats["last_headers"]?["x-trace"], "t1")

        XCTAssertEqual(harness.server.requestCounts, ["gpt-fake": 2, "claude-fake": 1, "gpt-fake+status-429": 1])
        XCTAssertEqual(harness.server.totalRequests, 4)
        XCTAssertEqual(harness.server.lastRequestBody, last)
        XCTAssertEqual(harness.server.lastRequestHeaders["x-trace"], "t1")

        XCTAssertEqual(harness.send("/fake/reset").status, 204)
        let cleared = harness.send("/fake/stats", method: "GET").json()
        XCTAssertEqual(cleared["requests"], [:])
        XCTAssertEqual(cleared["total"], 0)
        XCTAssertEqual(cleared["last_request"], .null)
        XCTAssertEqual(harness.server.requestCount(for: "gpt-fake"), 0)
        try harness.finish()
    }

    func testBaseURLs() throws {
        let harness = try FakeHarness()
        let port = harness.server.port
        XCTAssertGreaterThan(port, 0)
        XCTAssertEqual(harness.server.baseURL(for: .openai), "http://127.0.0.1:\(port)/v1")
        XCTAssertEqual(harness.server.baseURL(for: .anthropic), "http://127.0.0.1:\(port)/v1")
        XCTAssertEqual(harness.server.baseURL(for: .gemini), "http://127.0.0.1:\(port)/v1beta")
        try harness.finish()
    }

    func testIdsAndAnswersAreDeterministic() throws {
        let harness = try FakeHarness()
        let first = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake")).json()
        let second = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake")).json()
        XCTAssertEqual(first["id"], "chatcmpl-fake-1")
        XCTAssertEqual(second["id"], "chatcmpl-fake-2")
        var same = second
        same["id"] = first["id"]
        XCTAssertEqual(same, first)
        try harness.finish()
    }
}
