import JSON
import XCTest

@testable import Routing

/// Calls that end without an answer — a stream cut or abandoned, a client gone, every attempt failed — still
/// write a row that a client can look up, blame the right model, and charge what the provider will bill.
final class EndedCallTests: XCTestCase {
    private let price = Pricing(input: 1_000, output: 1_000)  // $0.001 per token

    private func fixture() -> RouterFixture {
        RouterFixture(models: [
            ModelInfo(id: id("a/m1"), pricing: price), ModelInfo(id: id("b/m2"), pricing: price),
        ])
    }

    private let prompt: JSON = [["role": "user", "content": .string(String(repeating: "word ", count: 40))]]

    func testAStreamCutAfterTokensIsChargedForThePromptAndTheTextItStreamed() throws {
        let fixture = fixture()
        let text = String(repeating: "abcd", count: 25)  // 100 bytes ≈ 25 tokens
        fixture.transport.script("m1", .stream(chunks: [Replies.roleChunk, Replies.chunk(text)]))  // no [DONE]
        let events = fixture.chat(["model": "a/m1", "stream": true, "messages": prompt])
        let error = try XCTUnwrap(events.last?.failure)
        XCTAssertEqual(error.code, "stream_interrupted")
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.usage.completion, 25)
        XCTAssertEqual(row.usage.prompt, ChatRequest(body: ["messages": prompt]).estimatedPromptTokens)
        XCTAssertGreaterThan(row.usage.prompt, 40)
        XCTAssertEqual(row.cost, Double(row.usage.total) * 0.001, accuracy: 1e-9)
        XCTAssertTrue(row.error?.contains("tokens estimated") == true, row.error ?? "")
        XCTAssertEqual(error.generationID, row.id)
    }

    func testACompleteStreamWithoutAUsageReportIsChargedTheSameEstimate() throws {
        let fixture = fixture()
        let text = String(repeating: "abcd", count: 25)  // 100 bytes ≈ 25 tokens
        fixture.transport.script(
            "m1", .stream(chunks: [Replies.roleChunk, Replies.chunk(text), Replies.stopChunk, Replies.done]))
        let events = fixture.chat([
            "model": "a/m1", "stream": true, "stream_options": ["include_usage": true], "messages": prompt,
        ])
        guard case .streamFinished(let outcome)? = events.last else { return XCTFail("\(events)") }
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.status, "ok")
        XCTAssertEqual(row.usage.completion, 25, "a complete answer costs no less than a broken one")
        XCTAssertEqual(row.usage.prompt, ChatRequest(body: ["messages": prompt]).estimatedPromptTokens)
        XCTAssertEqual(row.cost, Double(row.usage.total) * 0.001, accuracy: 1e-9)
        XCTAssertEqual(outcome.cost, row.cost, accuracy: 1e-12)
        XCTAssertTrue(row.error?.contains("tokens estimated") == true, row.error ?? "")
        // The client's usage chunk carries the same estimate and its cost.
        let usageChunk = events.compactMap { event -> JSONObject? in
            if case .chunk(let chunk) = event, chunk.object["usage"] != nil { return chunk.object }
            return nil
        }.last
        XCTAssertEqual(usageChunk?["usage"]?["completion_tokens"], 25)
        XCTAssertEqual(usageChunk?["usage"]?["cost"]?.doubleValue ?? -1, row.cost, accuracy: 1e-12)
    }

    func testAnAnswerWithoutAUsageReportIsChargedAnEstimate() throws {
        let fixture = fixture()
        let text = String(repeating: "abcd", count: 10)  // 40 bytes ≈ 10 tokens
        fixture.transport.script(
            "m1",
            .json(
                status: 200,
                body:
                    #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}]}"#
            ))
        let events = fixture.chat(["model": "a/m1", "messages": prompt])
        let answer = try XCTUnwrap(events.first?.completionBody)
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.status, "ok")
        XCTAssertEqual(row.usage.completion, 10)
        XCTAssertEqual(row.usage.prompt, ChatRequest(body: ["messages": prompt]).estimatedPromptTokens)
        XCTAssertEqual(row.cost, Double(row.usage.total) * 0.001, accuracy: 1e-9)
        XCTAssertTrue(row.error?.contains("tokens estimated") == true, row.error ?? "")
        XCTAssertEqual(answer["usage"]?["completion_tokens"], 10)
        XCTAssertEqual(answer["usage"]?["cost"]?.doubleValue ?? -1, row.cost, accuracy: 1e-12)
    }

    func testUsageTheProviderReportedBeforeTheCutIsKept() throws {
        let fixture = fixture()
        fixture.transport.script("m1", .stream(chunks: [Replies.chunk("hi"), Replies.usageChunk]))  // then cut
        _ = fixture.chat(["model": "a/m1", "stream": true, "messages": prompt])
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.usage.prompt, 7)
        XCTAssertEqual(row.usage.completion, 3)  // reported 3 ≥ the 1 token "hi" is estimated at
        XCTAssertFalse(row.error?.contains("estimated") == true)
    }

    func testAClientGoneMidStreamIsChargedWhatWasGenerated() throws {
        let fixture = fixture()
        let text = String(repeating: "x", count: 40)
        fixture.transport.script(
            "m1", .streamThenHang(chunks: [Replies.chunk(text), Replies.chunk(text), Replies.chunk(text)]))
        var handle: RoutedCallHandle?
        var chunks = 0
        handle = fixture.router.chat(
            ChatRequest(body: ["model": "a/m1", "stream": true, "messages": prompt]),
            context: RequestContext(face: "http")
        ) { event in
            if case .chunk = event {
                chunks += 1
                if chunks == 2 { handle?.cancel() }
            }
        }
        fixture.transport.run()
        XCTAssertEqual(chunks, 2)
        XCTAssertTrue(fixture.transport.calls[0].cancelled)
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.status, "cancelled")
        XCTAssertEqual(row.usage.completion, 20, "the two 40-byte chunks received")
        XCTAssertGreaterThan(row.cost, 0)
    }

    func testACallCancelledWhileWaitingIsChargedItsPromptOnly() throws {
        let fixture = fixture()
        fixture.transport.script("m1", .hang)
        let handle = fixture.router.chat(
            ChatRequest(body: ["model": "a/m1", "messages": prompt]), context: RequestContext(face: "http")
        ) { _ in }
        fixture.transport.run()
        handle.cancel()
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.status, "cancelled")
        XCTAssertEqual(row.usage.completion, 0)
        XCTAssertEqual(row.usage.prompt, ChatRequest(body: ["messages": prompt]).estimatedPromptTokens)
    }

    func testFailedAttemptsCostNothingAndTheRowNamesTheLastModelTried() throws {
        let fixture = fixture()
        fixture.transport.script("m1", Replies.error(503, "down"))
        fixture.transport.script("m2", Replies.error(429, "slow down"))
        let events = fixture.chat(["model": "a/m1", "models": ["b/m2"], "messages": prompt])
        let error = try XCTUnwrap(events.last?.failure)
        let row = try XCTUnwrap(fixture.usage.rows.first)
        XCTAssertEqual(row.resolvedModel, id("b/m2"))
        XCTAssertEqual(row.usage.total, 0)
        XCTAssertEqual(row.cost, 0)
        XCTAssertEqual(error.generationID, row.id)
        XCTAssertEqual(error.openAIBody["error"]?["metadata"]?["generation_id"]?.stringValue, row.id)
    }

    func testARefusalBeforeAnyAttemptCarriesItsRowID() throws {
        let fixture = fixture()
        let events = fixture.chat(["model": "nowhere/model", "messages": prompt])
        let error = try XCTUnwrap(events.last?.failure)
        XCTAssertEqual(error.status, 404)
        XCTAssertEqual(error.generationID, fixture.usage.rows.first?.id)
    }

    func testAbandonedCallsHearA503AndRecordIt() throws {
        let fixture = fixture()
        fixture.transport.script("m1", .hang)
        fixture.transport.script("m2", .streamThenHang(chunks: [Replies.chunk("partial answer")]))
        var plain: [ChatEvent] = []
        var stream: [ChatEvent] = []
        fixture.router.chat(ChatRequest(body: ["model": "a/m1", "messages": prompt]), context: RequestContext(face: "http"))
        {
            plain.append($0)
        }
        fixture.router.chat(
            ChatRequest(body: ["model": "b/m2", "stream": true, "messages": prompt]), context: RequestContext(face: "http")
        ) { stream.append($0) }
        fixture.transport.run()
        XCTAssertEqual(fixture.router.activeCalls, 2)
        var idle = false
        fixture.router.whenIdle { idle = true }
        fixture.router.abandonAll(
            RoutingError(
                status: 503, type: "service_unavailable", code: "shutting_down", message: "bye", retryAfterSeconds: 1))
        XCTAssertTrue(idle)
        XCTAssertEqual(fixture.router.activeCalls, 0)
        guard case .failed(let plainError, false)? = plain.last else { return XCTFail("\(plain)") }
        XCTAssertEqual(plainError.status, 503)
        XCTAssertEqual(plainError.retryAfterSeconds, 1)
        XCTAssertEqual(plainError.attempts.map(\.outcome), ["cancelled"])
        guard case .failed(let streamError, true)? = stream.last else { return XCTFail("\(stream)") }
        XCTAssertEqual(streamError.code, "shutting_down")
        XCTAssertTrue(fixture.transport.calls.allSatisfy(\.cancelled))
        XCTAssertEqual(Set(fixture.usage.rows.map(\.httpStatus)), [503])
        XCTAssertEqual(fixture.usage.rows.count, 2)
    }
}
