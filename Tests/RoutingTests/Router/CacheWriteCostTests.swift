import JSON
import XCTest

@testable import Routing

/// What a call to an Anthropic upstream that wrote to its prompt cache costs, in the answer and the usage row.
final class CacheWriteCostTests: XCTestCase {
    /// A router over `anthropic` (the real adapter) where `claude-x` has Claude Sonnet's prices.
    private struct Fixture {
        let transport = ScriptedTransport()
        let usage = RecordingUsage()
        let router: Router

        init() {
            let providers = [
                "anthropic": ProviderConfig(id: "anthropic", kind: .anthropic, baseURL: "http://anthropic.test/v1")
            ]
            let model = ModelInfo(
                id: ModelID(provider: "anthropic", model: "claude-x"),
                pricing: Pricing(input: 3, output: 15, cachedInput: 0.30, cacheWrite: 3.75))
            router = try! Router(
                settings: RoutingSettings(providers: providers), models: DictionaryModels(entries: [model.id: model]),
                adapter: providerAdapter(for:), transport: transport, usage: usage, clock: ManualClock().routingClock)
        }

        func chat(_ body: JSONObject) -> [ChatEvent] {
            var events: [ChatEvent] = []
            router.chat(ChatRequest(body: body), context: RequestContext(face: "http")) { events.append($0) }
            transport.run()
            return events
        }
    }

    /// Anthropic's usage for 100 plain input tokens, 500 written to the cache, 1000 read from it, 50 output.
    private static let usage =
        #"{"input_tokens":100,"cache_creation_input_tokens":500,"cache_read_input_tokens":1000,"output_tokens":50}"#
    /// 100 × $3 + 500 × $3.75 + 1000 × $0.30 + 50 × $15 per million (cache writes at plain input: 2850).
    private static let cost = 3225.0 / 1_000_000

    private func assertRecorded(_ fixture: Fixture, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(fixture.usage.rows.count, 1, file: file, line: line)
        let row = fixture.usage.rows.first
        // The counts stay the provider's: every prompt token in `prompt`, the cache reads apart.
        XCTAssertEqual(row?.usage.prompt, 1600, file: file, line: line)
        XCTAssertEqual(row?.usage.cached, 1000, file: file, line: line)
        XCTAssertEqual(row?.usage.completion, 50, file: file, line: line)
        XCTAssertEqual(row?.cost ?? 0, Self.cost, accuracy: 1e-15, file: file, line: line)
    }

    func testANonStreamedAnswerChargesCacheWritesAtTheCacheWritePrice() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "claude-x",
            .json(
                status: 200,
                body:
                    #"{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":\#(Self.usage)}"#
            ))
        let events = fixture.chat(["model": "anthropic/claude-x", "messages": [["role": "user", "content": "hi"]]])
        let usage = try XCTUnwrap(events.first?.completionBody?["usage"])
        XCTAssertEqual(usage["prompt_tokens"], 1600)
        XCTAssertEqual(usage["cost"]?.doubleValue ?? 0, Self.cost, accuracy: 1e-15)
        assertRecorded(fixture)
    }

    func testAStreamChargesCacheWritesAtTheCacheWritePrice() throws {
        let fixture = Fixture()
        let events = [
            #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":\#(Self.usage)}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":50}}"#,
            #"{"type":"message_stop"}"#,
        ]
        fixture.transport.script("claude-x", .stream(chunks: events.map { "data: \($0)\n\n" }))
        let received = fixture.chat([
            "model": "anthropic/claude-x", "stream": true, "stream_options": ["include_usage": true], "messages": [],
        ])
        guard case .streamFinished(let outcome)? = received.last else { return XCTFail("\(received)") }
        XCTAssertEqual(outcome.cost, Self.cost, accuracy: 1e-15)
        assertRecorded(fixture)
    }
}
