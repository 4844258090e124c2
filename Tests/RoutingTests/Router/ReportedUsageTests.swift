import JSON
import XCTest

@testable import Routing

/// The `usage` the client gets: an OpenAI-kind provider's own object with our `cost`, on every path.
final class ReportedUsageTests: XCTestCase {
    /// A router over `o` (OpenAI, the real adapter, priced so the cost is not zero) with the scripted transport.
    private struct Fixture {
        let transport = ScriptedTransport()
        let router: Router

        init() {
            let providers = [
                "o": ProviderConfig(
                    id: "o", kind: .openai, baseURL: "http://o.test/v1", pricing: Pricing(input: 1, output: 2))
            ]
            router = try! Router(
                settings: RoutingSettings(providers: providers), models: DictionaryModels(),
                adapter: providerAdapter(for:), transport: transport, usage: RecordingUsage(),
                clock: ManualClock().routingClock)
        }

        func chat(_ body: JSONObject) -> [ChatEvent] {
            var events: [ChatEvent] = []
            router.chat(ChatRequest(body: body), context: RequestContext(face: "http")) { events.append($0) }
            transport.run()
            return events
        }
    }

    /// What OpenAI reports today, plus its own `cost` (which ours replaces) and a member nobody knows yet.
    private static let usage = """
        {"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,\
        "prompt_tokens_details":{"cached_tokens":2,"audio_tokens":3},\
        "completion_tokens_details":{"reasoning_tokens":1,"audio_tokens":4,"accepted_prediction_tokens":2,\
        "rejected_prediction_tokens":1},"cost":99,"service_extra":{"tier":"flex"}}
        """
    /// 8 fresh and 2 cached prompt tokens at $1 (no cached price), 5 completion tokens at $2, per million.
    private static let cost = (10.0 * 1 + 5 * 2) / 1_000_000

    /// `usage` as the provider sent it, with our cost.
    private static func expected() throws -> JSON {
        var object = try XCTUnwrap(try JSON.parse(usage).objectValue)
        object["cost"] = .double(cost)
        return .object(object)
    }

    private static func answer(message: String) -> ScriptedTransport.Reply {
        .json(
            status: 200,
            body:
                #"{"id":"up","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":\#(message),"finish_reason":"stop"}],"usage":\#(usage)}"#
        )
    }

    func testANonStreamedAnswerKeepsTheProvidersUsageOnBothPaths() throws {
        // Plain content passes through as bytes; a `reasoning` member to rename takes the object path.
        for message in [
            #"{"role":"assistant","content":"hi"}"#, #"{"role":"assistant","content":"hi","reasoning":"think"}"#,
        ] {
            let fixture = Fixture()
            fixture.transport.script("m", Self.answer(message: message))
            let events = fixture.chat(["model": "o/m", "messages": [["role": "user", "content": "hi"]]])
            let body = try XCTUnwrap(events.first?.completionBody, message)
            XCTAssertEqual(body["usage"], try Self.expected(), message)
        }
    }

    func testTheStreamsUsageChunkKeepsTheProvidersUsage() throws {
        let fixture = Fixture()
        let usageChunk =
            #"data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":\#(Self.usage)}"#
            + "\n\n"
        fixture.transport.script(
            "m", .stream(chunks: [Replies.chunk("hi"), Replies.stopChunk, usageChunk, Replies.done]))
        let events = fixture.chat([
            "model": "o/m", "stream": true, "stream_options": ["include_usage": true], "messages": [],
        ])
        let chunks = events.compactMap { event -> JSONObject? in
            if case .chunk(let chunk) = event { return chunk.object } else { return nil }
        }
        let last = try XCTUnwrap(chunks.last)
        XCTAssertEqual(last["choices"], [])
        XCTAssertEqual(last["usage"], try Self.expected())
        XCTAssertTrue(chunks.dropLast().allSatisfy { $0["usage"] == nil }, "only the last chunk carries usage")
    }

    func testWithoutAProviderUsageObjectTheUsageIsEstimatedAndWrittenFromTheCounts() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "m",
            .json(
                status: 200,
                body: #"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#))
        let events = fixture.chat(["model": "o/m", "messages": []])
        let usage = try XCTUnwrap(events.first?.completionBody?["usage"])
        XCTAssertEqual(usage["prompt_tokens"]?.intValue, Int64(ChatRequest(body: ["messages": []]).estimatedPromptTokens))
        XCTAssertEqual(usage["completion_tokens"], 1, "two bytes of text")
        XCTAssertEqual(usage["completion_tokens_details"]?["reasoning_tokens"], 0)
        XCTAssertGreaterThan(usage["cost"]?.doubleValue ?? 0, 0)
    }
}
