import FakeProvider
import JSON
import Loop
import LoopTestSupport
import Routing
import XCTest

@testable import Gateway

/// The routing core over the real libcurl transport against the fake provider on loopback: every wire format,
/// streaming, timeouts and failover through real sockets.
final class RouterOverCurlTests: XCTestCase {
    final class Rows: UsageSink {
        var rows: [UsageRecord] = []
        func record(_ record: UsageRecord) { rows.append(record) }
    }

    struct Models: ModelLookup {
        func info(for id: ModelID) -> ModelInfo? { nil }
        func models(named name: String) -> [ModelInfo] { [] }
    }

    private var loop: EventLoop!
    private var fake: FakeProviderServer!
    private var client: SharedHTTPClient!
    private var usage: Rows!
    private var router: Router!

    override func setUpWithError() throws {
        loop = try EventLoop()
        fake = try FakeProviderServer(loop: loop)
        client = SharedHTTPClient(loop: loop)
        usage = Rows()
        let quick = AttemptTimeouts(connectMilliseconds: 2_000, firstByteMilliseconds: 300, totalMilliseconds: 5_000)
        let providers: [String: ProviderConfig] = [
            "oa": ProviderConfig(id: "oa", kind: .openai, baseURL: fake.baseURL(for: .openai), apiKey: "k", timeouts: quick),
            "an": ProviderConfig(
                id: "an", kind: .anthropic, baseURL: fake.baseURL(for: .anthropic), apiKey: "k", timeouts: quick),
            "ge": ProviderConfig(id: "ge", kind: .gemini, baseURL: fake.baseURL(for: .gemini), apiKey: "k", timeouts: quick),
        ]
        router = try Router(
            settings: RoutingSettings(providers: providers), models: Models(), adapter: providerAdapter(for:),
            transport: CurlUpstreamTransport(client: client), usage: usage)
    }

    override func tearDownWithError() throws {
        var closed = 0
        client.close { closed += 1 }
        fake.close { closed += 1 }
        run(until: { closed == 2 })
        try loop.close()
    }

    private func run(
        for milliseconds: UInt64 = 5_000, until condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line
    ) {
        runLoop(loop, until: condition, timeout: milliseconds, file: file, line: line)
    }

    private func chat(_ body: JSONObject) -> [ChatEvent] {
        var events: [ChatEvent] = []
        var done = false
        router.chat(ChatRequest(body: body), context: RequestContext(face: "http")) { event in
            events.append(event)
            switch event {
            case .completion, .streamFinished, .failed: done = true
            default: break
            }
        }
        run(until: { done })
        return events
    }

    private let hello: JSON = [["role": "user", "content": "hello there"]]

    func testEveryWireFormatAnswersPlainAndStreaming() throws {
        for model in ["oa/m", "an/claude", "ge/gem"] {
            let plain = chat(["model": .string(model), "messages": hello])
            guard case .completion(let payload, let outcome)? = plain.first, case let body = payload.object else {
                return XCTFail("\(model): \(plain)")
            }
            let name = String(model.split(separator: "/")[1])
            XCTAssertEqual(
                body["choices"]?[0]?["message"]?["content"]?.stringValue, "Fake answer from \(name): hello there", model)
            XCTAssertGreaterThan(outcome.usage.completion, 0, model)

            let streamed = chat(["model": .string(model), "stream": true, "messages": hello])
            let text = streamed.compactMap { event -> String? in
                if case .chunk(let chunk) = event { return chunk.object["choices"]?[0]?["delta"]?["content"]?.stringValue }
                return nil
            }.joined()
            XCTAssertEqual(text, "Fake answer from \(name): hello there", model)
            guard case .streamFinished(let summary)? = streamed.last else { return XCTFail("\(model): \(streamed)") }
            XCTAssertGreaterThan(summary.usage.completion, 0, "\(model) stream usage")
        }
        XCTAssertEqual(usage.rows.count, 6)
    }

    func testRateLimitFailsOverWithRetryAfterAndTheHeaderIsHonoured() throws {
        let events = chat(["model": "oa/first+status-429+retry-after-30", "models": ["an/second"], "messages": hello])
        guard case .completion(let payload, let outcome)? = events.first, case let body = payload.object else {
            return XCTFail("\(events)")
        }
        XCTAssertEqual(body["model"]?.stringValue, "an/second")
        XCTAssertEqual(outcome.attempts.map(\.outcome), ["rate_limited", "ok"])
        XCTAssertEqual(outcome.attempts.first?.status, 429)
        // The provider asked for 30 s: the next request skips it without sending.
        _ = chat(["model": "oa/first+status-429+retry-after-30", "models": ["an/second"], "messages": hello])
        XCTAssertEqual(fake.requestCount(for: "first+status-429+retry-after-30"), 1)
    }

    func testAHungProviderTimesOutAndTheNextAnswers() throws {
        let events = chat(["model": "oa/slow+hang", "models": ["ge/next"], "messages": hello])
        guard case .completion(let payload, let outcome)? = events.first, case let body = payload.object else {
            return XCTFail("\(events)")
        }
        XCTAssertEqual(body["model"]?.stringValue, "ge/next")
        XCTAssertEqual(outcome.attempts.first?.outcome, "timeout")
        run(until: { self.fake.cancelledRequests == 1 })  // the abandoned request was really closed
    }

    func testAStreamCutAfterTokensEndsInAnError() throws {
        let events = chat(["model": "oa/m+cut-after-2", "models": ["an/unused"], "stream": true, "messages": hello])
        guard case .failed(let error, let started)? = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(started)
        XCTAssertEqual(error.code, "stream_interrupted")
        XCTAssertEqual(fake.requestCount(for: "unused"), 0, "no failover once tokens reached the client")
        XCTAssertEqual(usage.rows.last?.status, "error")
    }

    func testContextTooLongFromEachProviderIsRecognised() throws {
        for model in ["oa/a+context-too-long", "an/b+context-too-long", "ge/c+context-too-long"] {
            let events = chat(["model": .string(model), "messages": hello])
            XCTAssertEqual(events.first?.failureCode, "context_too_long", model)
        }
    }

    func testCancellingAbortsTheUpstreamTransfer() throws {
        let handle = router.chat(
            ChatRequest(body: ["model": "oa/slow+latency-2000", "messages": hello]),
            context: RequestContext(face: "http")
        ) { _ in XCTFail("no events after cancel") }
        run(until: { self.fake.totalRequests == 1 })
        handle.cancel()
        run(until: { self.fake.cancelledRequests == 1 })
        XCTAssertEqual(usage.rows.last?.status, "cancelled")
    }
}

extension ChatEvent {
    var failureCode: String? { if case .failed(let error, _) = self { return error.code } else { return nil } }
}
