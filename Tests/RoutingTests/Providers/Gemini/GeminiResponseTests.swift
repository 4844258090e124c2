import JSON
import XCTest

@testable import Routing

final class GeminiResponseTests: XCTestCase {
    private let adapter = GeminiAdapter()

    private func decode(_ text: String) throws(UpstreamFailure) -> ChatCompletion {
        try adapter.chatResponse(Array(text.utf8), model: "gemini-2.5-flash")
    }

    func testTextThoughtsAndUsage() throws {
        let completion = try decode(
            """
            {"candidates":[{"content":{"parts":[{"text":"**Considering the sky**\\nRayleigh scattering...","thought":true},
               {"text":"The sky is blue because of Rayleigh scattering."}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":12,"totalTokenCount":1021,"cachedContentTokenCount":4,
               "promptTokensDetails":[{"modality":"TEXT","tokenCount":9}],"thoughtsTokenCount":1000},
             "modelVersion":"gemini-2.5-flash","responseId":"mAitaLmkHPPlz7IPvtfUqQY"}
            """)
        XCTAssertEqual(completion.body["id"], "mAitaLmkHPPlz7IPvtfUqQY")
        XCTAssertEqual(completion.body["object"], "chat.completion")
        let choice = completion.body["choices"]?[0]
        XCTAssertEqual(choice?["finish_reason"], "stop")
        XCTAssertEqual(choice?["message"]?["content"], "The sky is blue because of Rayleigh scattering.")
        XCTAssertEqual(choice?["message"]?["reasoning_content"], "**Considering the sky**\nRayleigh scattering...")
        XCTAssertEqual(completion.usage, TokenUsage(prompt: 9, completion: 1012, cached: 4, reasoning: 1000))
        XCTAssertEqual(completion.body["usage"]?["completion_tokens_details"]?["reasoning_tokens"], 1000)
    }

    func testFunctionCallsGetIdsAndKeepTheirThoughtSignature() throws {
        let completion = try decode(
            """
            {"candidates":[{"content":{"role":"model","parts":[
               {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"CiQBVKhc7sig"},
               {"functionCall":{"name":"get_weather","args":{"location":"Rome"}}}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":20,"totalTokenCount":70}}
            """)
        let choice = completion.body["choices"]?[0]
        XCTAssertEqual(choice?["finish_reason"], "tool_calls")
        XCTAssertEqual(choice?["message"]?["content"], .null)
        let calls = choice?["message"]?["tool_calls"]?.arrayValue ?? []
        XCTAssertEqual(calls.count, 2)
        XCTAssertEqual(calls[0]["id"], "call_0")
        XCTAssertEqual(calls[1]["id"], "call_1")
        XCTAssertEqual(calls[0]["function"]?["name"], "get_weather")
        XCTAssertEqual(calls[0]["function"]?["arguments"], #"{"location":"Paris"}"#)
        XCTAssertEqual(calls[0]["extra_content"], ["google": ["thought_signature": "CiQBVKhc7sig"]])
        XCTAssertNil(calls[1]["extra_content"])
    }

    func testFinishReasons() {
        let table: [(String?, Bool, String?)] = [
            ("STOP", false, "stop"), ("STOP", true, "tool_calls"), ("MAX_TOKENS", false, "length"),
            ("SAFETY", false, "content_filter"), ("RECITATION", false, "content_filter"),
            ("BLOCKLIST", false, "content_filter"),
            ("PROHIBITED_CONTENT", false, "content_filter"), ("SPII", false, "content_filter"), ("OTHER", false, "stop"),
            ("FINISH_REASON_UNSPECIFIED", false, nil), (nil, false, nil),
        ]
        for (reason, tools, expected) in table {
            XCTAssertEqual(GeminiResponse.finishReason(reason, hasToolCalls: tools), expected, reason ?? "nil")
        }
    }

    func testSafetyStopWithoutContentIsAnAnswerButABlockedPromptIsNot() throws {
        let stopped = try decode(
            #"{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH"}]}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}"#
        )
        XCTAssertEqual(stopped.body["choices"]?[0]?["finish_reason"], "content_filter")
        XCTAssertEqual(stopped.body["choices"]?[0]?["message"]?["content"], .null)
        let blocked = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try decode(
                #"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}"#
            )
        }
        XCTAssertEqual(blocked?.kind, .contentFiltered)
        XCTAssertTrue(blocked?.message.contains("PROHIBITED_CONTENT") ?? false)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try decode("{}") }?.kind, .invalidResponse)
    }

    func testSeveralCandidatesBecomeSeveralChoices() throws {
        let completion = try decode(
            #"{"candidates":[{"content":{"parts":[{"text":"A"}],"role":"model"},"finishReason":"STOP","index":0},{"content":{"parts":[{"text":"B"}],"role":"model"},"finishReason":"MAX_TOKENS","index":1}]}"#
        )
        let choices = completion.body["choices"]?.arrayValue ?? []
        XCTAssertEqual(choices.map { $0["message"]?["content"] }, ["A", "B"])
        XCTAssertEqual(choices.map { $0["index"] }, [0, 1])
        XCTAssertEqual(choices.map { $0["finish_reason"] }, ["stop", "length"])
    }

    func testEmbeddingsAndModelList() throws {
        let (list, usage) = try adapter.embeddingsResponse(
            Array(#"{"embeddings":[{"values":[0.013168523,-0.008711934]},{"values":[0.5,0.25]}]}"#.utf8),
            model: "text-embedding-004")
        XCTAssertEqual(
            list,
            [
                "object": "list", "model": "text-embedding-004",
                "data": [
                    ["object": "embedding", "index": 0, "embedding": [0.013168523, -0.008711934]],
                    ["object": "embedding", "index": 1, "embedding": [0.5, 0.25]],
                ],
                "usage": ["prompt_tokens": 0, "total_tokens": 0],
            ])
        XCTAssertEqual(usage, TokenUsage())
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.embeddingsResponse(Array(#"{"embedding":{}}"#.utf8), model: "m")
            }?.kind, .invalidResponse)

        let models =
            #"{"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/text-embedding-004"}],"nextPageToken":"Chxtb2RlbHMv"}"#
        XCTAssertEqual(try adapter.modelNames(Array(models.utf8)), ["gemini-2.5-flash", "text-embedding-004"])
        XCTAssertEqual(try adapter.modelNames(Array("{}".utf8)), [])
    }
}
