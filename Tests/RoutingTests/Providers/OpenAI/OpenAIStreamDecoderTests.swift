import JSON
import XCTest

@testable import Routing

final class OpenAIStreamDecoderTests: XCTestCase {
    private let adapter = OpenAIAdapter()

    /// A tool-call stream as OpenAI sends it with `stream_options.include_usage` (CRLF line ends included).
    private let toolStream = """
        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}],"usage":null}\r
        \r
        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"location\\":"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris, France\\"}"}}]},"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}

        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":75,"completion_tokens":18,"total_tokens":93,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """

    func testEmittingHandsOverEachEventBeforeDecodingTheNextAndCanStop() throws {
        let decoder = adapter.makeStreamDecoder(model: "gpt-4o")
        var batches: [Int] = []
        try decoder.feed(Array(toolStream.utf8)) { chunks in
            batches.append(chunks.count)
            return true
        }
        XCTAssertEqual(batches, [1, 1, 1, 1], "one event at a time; the usage-only chunk is not emitted")
        XCTAssertEqual(decoder.usage, TokenUsage(prompt: 75, completion: 18))
        // The provider's usage object as sent, for the router's usage chunk (the `usage: null` chunks change nothing).
        XCTAssertEqual(
            decoder.reportedUsage,
            [
                "prompt_tokens": 75, "completion_tokens": 18, "total_tokens": 93,
                "prompt_tokens_details": ["cached_tokens": 0], "completion_tokens_details": ["reasoning_tokens": 0],
            ])

        let stopping = adapter.makeStreamDecoder(model: "gpt-4o")
        var seen = 0
        try stopping.feed(Array(toolStream.utf8)) { _ in
            seen += 1
            return false
        }
        XCTAssertEqual(seen, 1, "false stops the hand-over")
    }

    func testToolCallDeltasAndUsageInEverySplit() throws {
        for sizes in ProviderFixtures.splits {
            let decoder = adapter.makeStreamDecoder(model: "gpt-4o")
            let chunks = try ProviderFixtures.decode(decoder, toolStream, sizes: sizes)
            XCTAssertEqual(chunks.count, 4, "the usage-only chunk is not forwarded (split \(sizes))")
            XCTAssertTrue(chunks.allSatisfy { $0["usage"] == nil }, "usage is stripped")
            let calls = ProviderFixtures.toolCalls(chunks)
            XCTAssertEqual(calls.count, 1)
            XCTAssertEqual(calls.first?.id, "call_DdmO9pD3xa9XTPNJ32zg2hcA")
            XCTAssertEqual(calls.first?.name, "get_weather")
            XCTAssertEqual(calls.first?.arguments, #"{"location":"Paris, France"}"#)
            XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["tool_calls"])
            XCTAssertEqual(decoder.usage, TokenUsage(prompt: 75, completion: 18))
        }
    }

    func testReasoningIsRenamedAndUnicodeSurvivesByteSplits() throws {
        let stream = """
            data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","reasoning":"Let me think… 🤔"},"finish_reason":null}]}

            data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"reasoning_content":" more"},"finish_reason":null}]}

            data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Grüße"},"finish_reason":"stop"}]}

            data: [DONE]
            """
        for sizes in ProviderFixtures.splits {
            let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "deepseek-r1"), stream, sizes: sizes)
            XCTAssertEqual(ProviderFixtures.joined(chunks, "reasoning_content"), "Let me think… 🤔 more")
            XCTAssertEqual(ProviderFixtures.joined(chunks, "content"), "Grüße")
            XCTAssertNil(chunks[0]["choices"]?[0]?["delta"]?["reasoning"])
            XCTAssertEqual(chunks[0]["model"], "deepseek-r1", "a missing model is filled in")
        }
    }

    func testCutStreamFailsOnFinish() throws {
        let decoder = adapter.makeStreamDecoder(model: "gpt-4o")
        let partial =
            "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
        XCTAssertEqual(try decoder.feed(Array(partial.utf8)).count, 1)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try decoder.finish() }?.kind, .invalidResponse)
    }

    func testAnEventWithEmptyDataIsAKeepAliveNotInvalidJSON() throws {
        let decoder = OpenAIStreamDecoder(model: "m")
        let chunks = try decoder.feed(
            Array("data:\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\ndata: [DONE]\n\n".utf8))
        XCTAssertEqual(chunks.count, 1)
        XCTAssertTrue(decoder.isComplete)
    }

    func testDoneWithoutTrailingBlankLineCompletes() throws {
        let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "m"), "data: [DONE]")
        XCTAssertEqual(chunks.count, 0)
    }

    func testErrorChunkAndInvalidJSONThrow() throws {
        let error =
            "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n"
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try adapter.makeStreamDecoder(model: "m").feed(Array(error.utf8))
        }
        XCTAssertEqual(failure?.kind, .serverError)
        XCTAssertEqual(failure?.message, "The server had an error while processing your request.")
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.makeStreamDecoder(model: "m").feed(Array("data: {oops\n\n".utf8))
            }?.kind, .invalidResponse)
    }
}
