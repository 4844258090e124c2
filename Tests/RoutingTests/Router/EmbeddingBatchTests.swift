import JSON
import XCTest

@testable import Routing

/// Embeddings through the router to a provider with a limit on inputs per request (Gemini: 100).
final class EmbeddingBatchTests: XCTestCase {
    /// A router over `g` (Gemini) and `a` (OpenAI), with the real adapters and the scripted transport. The
    /// transport keys replies by the body's `model`; a Gemini batch body has none, so its replies are under "?".
    private struct Fixture {
        let transport = ScriptedTransport()
        let usage = RecordingUsage()
        let router: Router

        init() {
            let providers: [String: ProviderConfig] = [
                "g": ProviderConfig(
                    id: "g", kind: .gemini, baseURL: "http://g.test/v1beta",
                    pricing: Pricing(input: 1, output: 0)),
                "a": ProviderConfig(id: "a", kind: .openai, baseURL: "http://a.test/v1"),
            ]
            router = try! Router(
                settings: RoutingSettings(providers: providers), models: DictionaryModels(),
                adapter: providerAdapter(for:), transport: transport,
                usage: usage, clock: ManualClock().routingClock)
        }

        func embeddings(_ body: JSONObject) -> [ChatEvent] {
            var events: [ChatEvent] = []
            router.embeddings(body, context: RequestContext(face: "http")) { events.append($0) }
            transport.run()
            return events
        }
    }

    /// `{"embeddings": [{"values": [first]}, {"values": [first + 1]}, …]}` with `count` embeddings, and the prompt
    /// tokens Gemini reports when it reports any.
    private static func geminiBatch(first: Int, count: Int, promptTokens: Int) -> ScriptedTransport.Reply {
        let embeddings = (first..<first + count).map { #"{"values":[\#($0)]}"# }.joined(separator: ",")
        return .json(
            status: 200,
            body: #"{"embeddings":[\#(embeddings)],"usageMetadata":{"promptTokenCount":\#(promptTokens)}}"#)
    }

    private static func inputs(_ count: Int) -> JSON { .array((0..<count).map { .string("text \($0)") }) }

    /// The texts one upstream request carried.
    private static func sentTexts(_ request: UpstreamRequest) throws -> [String] {
        let body = try JSON.parse(try XCTUnwrap(request.body))
        return try XCTUnwrap(body["requests"]?.arrayValue).map {
            try XCTUnwrap($0["content"]?["parts"]?[0]?["text"]?.stringValue)
        }
    }

    func testMoreInputsThanGeminiTakesGoInBatchesOfAHundredAndComeBackAsOneListInInputOrder() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "?", Self.geminiBatch(first: 0, count: 100, promptTokens: 400),
            Self.geminiBatch(first: 100, count: 50, promptTokens: 200))
        let events = fixture.embeddings(["model": "g/text-embedding-004", "input": Self.inputs(150)])

        XCTAssertEqual(fixture.transport.sent.count, 2)
        XCTAssertEqual(try Self.sentTexts(fixture.transport.sent[0].request), (0..<100).map { "text \($0)" })
        XCTAssertEqual(try Self.sentTexts(fixture.transport.sent[1].request), (100..<150).map { "text \($0)" })
        XCTAssertTrue(fixture.transport.sent.allSatisfy { $0.request.url.hasSuffix(":batchEmbedContents") })

        let list = try XCTUnwrap(events.first?.completionBody)
        let data = try XCTUnwrap(list["data"]?.arrayValue)
        XCTAssertEqual(data.count, 150)
        XCTAssertEqual(data.map { $0["index"]?.intValue }, (0..<150).map { Int64($0) })
        // Each vector is the one for its input: the fake answers put the input's position in the vector.
        XCTAssertEqual(data.map { $0["embedding"]?[0]?.doubleValue }, (0..<150).map { Double($0) })
        XCTAssertEqual(list["object"], "list")
        XCTAssertEqual(list["model"], "g/text-embedding-004")
        XCTAssertEqual(list["usage"]?["prompt_tokens"], 600)
        XCTAssertEqual(list["usage"]?["total_tokens"], 600)
        XCTAssertEqual(list["usage"]?["cost"]?.doubleValue ?? -1, 600 / 1_000_000, accuracy: 1e-12)

        XCTAssertEqual(fixture.usage.rows.count, 1)
        let row = fixture.usage.rows[0]
        XCTAssertEqual(row.status, "ok")
        XCTAssertEqual(row.usage, TokenUsage(prompt: 600))
        XCTAssertEqual(row.attempts.map(\.outcome), ["ok"], "the batches are one attempt")
    }

    func testAHundredInputsOrFewerAreOneRequestAsBefore() throws {
        let fixture = Fixture()
        fixture.transport.script("?", Self.geminiBatch(first: 0, count: 100, promptTokens: 0))
        let events = fixture.embeddings(["model": "g/text-embedding-004", "input": Self.inputs(100)])
        XCTAssertEqual(fixture.transport.sent.count, 1)
        XCTAssertEqual(events.first?.completionBody?["data"]?.arrayValue?.count, 100)
    }

    func testAFailingBatchFailsTheWholeRequestWithItsFailure() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "?", Self.geminiBatch(first: 0, count: 100, promptTokens: 400),
            .json(
                status: 400,
                body: #"{"error":{"code":400,"message":"* text 120 is bad","status":"INVALID_ARGUMENT"}}"#),
            Self.geminiBatch(first: 200, count: 50, promptTokens: 200))
        let events = fixture.embeddings(["model": "g/text-embedding-004", "input": Self.inputs(250)])

        let error = try XCTUnwrap(events.first?.failure)
        XCTAssertEqual(error.status, 400)
        XCTAssertTrue(error.message.contains("text 120 is bad"), error.message)
        XCTAssertNil(events.first?.completionBody)
        XCTAssertEqual(fixture.transport.sent.count, 2, "no batch is sent after one failed")
        XCTAssertEqual(fixture.usage.rows.count, 1)
        XCTAssertEqual(fixture.usage.rows[0].status, "error")
        XCTAssertEqual(fixture.usage.rows[0].httpStatus, 400)
        XCTAssertEqual(fixture.usage.rows[0].attempts.map(\.outcome), ["bad_request"])
        // The first hundred inputs were embedded, and Gemini bills them: the row and the attempt say so.
        XCTAssertEqual(fixture.usage.rows[0].cost, 400 / 1_000_000, accuracy: 1e-12)
        XCTAssertEqual(fixture.usage.rows[0].attempts[0].cost ?? -1, 400 / 1_000_000, accuracy: 1e-12)
        XCTAssertEqual(error.attempts.first?.json["cost"]?.doubleValue ?? -1, 400 / 1_000_000, accuracy: 1e-12)
    }

    func testABatchThatFailsWithARetryableErrorFallsBackToTheNextCandidateWithAllInputs() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "?", Self.geminiBatch(first: 0, count: 100, promptTokens: 300),
            .json(status: 503, body: #"{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}"#))
        fixture.transport.script(
            "m", .json(status: 200, body: #"{"object":"list","data":[],"usage":{"prompt_tokens":9,"total_tokens":9}}"#))
        let events = fixture.embeddings(["model": "g/text-embedding-004", "models": ["a/m"], "input": Self.inputs(150)])

        XCTAssertEqual(events.first?.completionBody?["model"], "a/m")
        XCTAssertEqual(fixture.transport.sent.count, 3)
        let fallback = try JSON.parse(try XCTUnwrap(fixture.transport.sent[2].request.body))
        XCTAssertEqual(fallback["input"]?.arrayValue?.count, 150, "a provider without a limit gets the whole list")
        XCTAssertEqual(fixture.usage.rows.first?.attempts.map(\.outcome), ["overloaded", "ok"])
        // The batch g answered before it failed is paid for: part of the request's cost, in the answer and the row.
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.attempts.map(\.cost), [300 / 1_000_000, nil])
        XCTAssertEqual(row.cost, 300 / 1_000_000, accuracy: 1e-12)
        XCTAssertEqual(events.first?.completionBody?["usage"]?["cost"]?.doubleValue ?? -1, 300 / 1_000_000, accuracy: 1e-12)
        XCTAssertEqual(row.usage, TokenUsage(prompt: 9), "the tokens are the answer's")
    }

    func testAnOpenAIKindProvidersUsageReachesTheClientAsSentWithOurCost() throws {
        let fixture = Fixture()
        fixture.transport.script(
            "m",
            .json(
                status: 200,
                body: #"{"object":"list","data":[],"usage":{"prompt_tokens":9,"total_tokens":9,"input_details":{"x":1}}}"#
            ))
        let events = fixture.embeddings(["model": "a/m", "input": "hello"])
        let usage = try XCTUnwrap(events.first?.completionBody?["usage"])
        XCTAssertEqual(usage["input_details"], ["x": 1], "members we do not read are kept")
        XCTAssertEqual(usage["prompt_tokens"], 9)
        XCTAssertNotNil(usage["cost"]?.doubleValue)
    }

    func testInputsTheProviderCannotTakeFailBeforeAnyBatchIsSent() throws {
        let fixture = Fixture()
        var inputs = (0..<150).map { JSON.string("text \($0)") }
        inputs[120] = [1, 2, 3]  // token ids: Gemini embeds text only
        let events = fixture.embeddings(["model": "g/text-embedding-004", "input": .array(inputs)])
        XCTAssertEqual(events.first?.failure?.status, 400)
        XCTAssertTrue(fixture.transport.sent.isEmpty)
    }

    // MARK: Joining

    func testJoiningPlacesEmbeddingsByTheirIndexAndRejectsAnAnswerOfTheWrongSize() throws {
        var batches = EmbeddingBatches(["model": "m", "input": Self.inputs(5)], limit: 2)
        XCTAssertEqual(batches.bodies.map { $0["input"]?.arrayValue?.count }, [2, 2, 1])
        XCTAssertEqual(batches.bodies[2]["model"], "m")
        // Out of order within its batch: the index says where each one goes.
        try batches.add(
            ["data": [["index": 1, "embedding": [1]], ["index": 0, "embedding": [0]]]], usage: TokenUsage(prompt: 2))
        try batches.add(["data": [["index": 0, "embedding": [2]], ["index": 1, "embedding": [3]]]], usage: TokenUsage())
        XCTAssertFalse(batches.isComplete)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                var copy = batches
                try copy.add(
                    ["data": [["index": 0, "embedding": [4]], ["index": 1, "embedding": [5]]]], usage: TokenUsage())
            }?.kind, .invalidResponse)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                var copy = batches
                try copy.add(["data": [["index": 3, "embedding": [4]]]], usage: TokenUsage())
            }?.kind, .invalidResponse)
        try batches.add(["object": "list", "data": [["index": 0, "embedding": [4]]]], usage: TokenUsage(prompt: 1))
        let (list, usage) = batches.joined
        XCTAssertEqual(list["data"]?.arrayValue?.map { $0["embedding"]?[0]?.intValue }, [0, 1, 2, 3, 4])
        XCTAssertEqual(list["data"]?.arrayValue?.map { $0["index"]?.intValue }, [0, 1, 2, 3, 4])
        XCTAssertEqual(usage, TokenUsage(prompt: 3))

        XCTAssertFalse(EmbeddingBatches(["input": Self.inputs(2)], limit: 2).isSplit)
        XCTAssertFalse(EmbeddingBatches(["input": "one"], limit: 1).isSplit)
        XCTAssertFalse(EmbeddingBatches(["input": Self.inputs(3000)], limit: nil).isSplit)
    }
}
