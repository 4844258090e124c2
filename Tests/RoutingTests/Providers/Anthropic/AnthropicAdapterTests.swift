import JSON
import XCTest

@testable import Routing

final class AnthropicAdapterTests: XCTestCase {
    private let adapter = AnthropicAdapter()

    private func translate(_ text: String, info: ModelInfo? = nil, stream: Bool = false) throws -> (
        UpstreamRequest, JSONObject
    ) {
        let upstream = try adapter.chatRequest(
            ProviderFixtures.chat(text), model: "claude-sonnet-4-5",
            provider: ProviderFixtures.anthropic, info: info, stream: stream)
        return (upstream, ProviderFixtures.body(upstream))
    }

    func testTextImagesSystemAndSamplingOptions() throws {
        let (upstream, body) = try translate(
            """
            {"model":"anthropic/claude-sonnet-4-5","messages":[
              {"role":"system","content":"You are terse."},{"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
              {"role":"user","content":[{"type":"text","text":"Describe these."},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                {"type":"image_url","image_url":{"url":"https://upload.wikimedia.org/cat.jpg"}}]},
              {"role":"assistant","content":"Un chat."},{"role":"user","content":"Et alors ?"}],
             "stop":"END","temperature":1.6,"top_p":0.9,"top_k":40,"user":"user-42","seed":3}
            """)
        XCTAssertEqual(upstream.url, "https://api.anthropic.com/v1/messages")
        XCTAssertEqual(upstream.header("x-api-key"), "sk-ant-test")
        XCTAssertEqual(upstream.header("anthropic-version"), "2023-06-01")
        XCTAssertNil(upstream.header("authorization"))
        XCTAssertEqual(body["model"], "claude-sonnet-4-5")
        XCTAssertEqual(body["system"], "You are terse.\n\nAnswer in French.")
        XCTAssertEqual(body["max_tokens"], 4096)
        XCTAssertEqual(body["stop_sequences"], ["END"])
        XCTAssertEqual(body["temperature"], 1.0, "clamped to Anthropic's range")
        XCTAssertEqual(body["top_p"], 0.9)
        XCTAssertEqual(body["top_k"], 40)
        XCTAssertEqual(body["metadata"], ["user_id": "user-42"])
        XCTAssertNil(body["seed"])
        XCTAssertNil(body["stream"])
        let messages = body["messages"]?.arrayValue ?? []
        XCTAssertEqual(messages.count, 3)
        XCTAssertEqual(
            messages[0]["content"],
            [
                ["type": "text", "text": "Describe these."],
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]],
                ["type": "image", "source": ["type": "url", "url": "https://upload.wikimedia.org/cat.jpg"]],
            ])
        XCTAssertEqual(messages[1], ["role": "assistant", "content": [["type": "text", "text": "Un chat."]]])
    }

    func testMaxTokensFromClientThenCatalogThenDefaultAndStopArrays() throws {
        XCTAssertEqual(try translate(#"{"messages":[],"max_tokens":300}"#).1["max_tokens"], 300)
        XCTAssertEqual(try translate(#"{"messages":[],"max_tokens":300,"max_completion_tokens":200}"#).1["max_tokens"], 200)
        let info = ModelInfo(id: ModelID(provider: "anthropic", model: "claude-sonnet-4-5"), maxOutputTokens: 64_000)
        XCTAssertEqual(try translate(#"{"messages":[]}"#, info: info).1["max_tokens"], 64_000)
        XCTAssertEqual(try translate(#"{"messages":[],"stop":["a","b"]}"#).1["stop_sequences"], ["a", "b"])
    }

    func testStreamingFlagAndAcceptHeader() throws {
        let (upstream, body) = try translate(#"{"messages":[{"role":"user","content":"hi"}]}"#, stream: true)
        XCTAssertEqual(body["stream"], true)
        XCTAssertEqual(upstream.header("accept"), "text/event-stream")
    }

    func testToolsAndToolChoices() throws {
        let tools =
            #""tools":[{"type":"function","function":{"name":"get_weather","description":"Get the weather","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}},{"type":"function","function":{"name":"now"}}]"#
        let body = try translate(#"{"messages":[],\#(tools),"tool_choice":"auto"}"#).1
        XCTAssertEqual(
            body["tools"],
            [
                [
                    "name": "get_weather", "description": "Get the weather",
                    "input_schema": [
                        "type": "object", "properties": ["location": ["type": "string"]], "required": ["location"],
                    ],
                ],
                ["name": "now", "input_schema": ["type": "object", "properties": [:]]],
            ])
        let choices: [(String, JSON)] = [
            (#""auto""#, ["type": "auto"]), (#""none""#, ["type": "none"]), (#""required""#, ["type": "any"]),
            (#"{"type":"function","function":{"name":"get_weather"}}"#, ["type": "tool", "name": "get_weather"]),
        ]
        for (choice, expected) in choices {
            XCTAssertEqual(try translate(#"{"messages":[],\#(tools),"tool_choice":\#(choice)}"#).1["tool_choice"], expected)
        }
        let serial = try translate(#"{"messages":[],\#(tools),"parallel_tool_calls":false}"#).1
        XCTAssertEqual(serial["tool_choice"], ["type": "auto", "disable_parallel_tool_use": true])
        XCTAssertNil(try translate(#"{"messages":[],"tool_choice":"auto"}"#).1["tool_choice"], "no tools, no choice")
    }

    func testToolHistoryBecomesToolUseAndMergedToolResults() throws {
        let body = try translate(
            """
            {"messages":[{"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"toolu_01","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}},
                {"id":"toolu_02","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"toolu_01","content":"21°C"},
              {"role":"tool","tool_call_id":"toolu_02","content":[{"type":"text","text":"25°C"}]},
              {"role":"user","content":"Thanks"}]}
            """
        ).1
        let messages = body["messages"]?.arrayValue ?? []
        XCTAssertEqual(messages.count, 3)
        XCTAssertEqual(
            messages[1]["content"],
            [
                ["type": "text", "text": "Checking."],
                ["type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": ["location": "Paris"]],
                ["type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": [:]],
            ])
        XCTAssertEqual(messages[2]["role"], "user")
        XCTAssertEqual(
            messages[2]["content"],
            [
                ["type": "tool_result", "tool_use_id": "toolu_01", "content": "21°C"],
                ["type": "tool_result", "tool_use_id": "toolu_02", "content": [["type": "text", "text": "25°C"]]],
                ["type": "text", "text": "Thanks"],
            ])
    }

    func testLegacyFunctionsAreTranslated() throws {
        let body = try translate(
            """
            {"messages":[{"role":"user","content":"hi"},{"role":"assistant","function_call":{"name":"f","arguments":"{}"}},
              {"role":"function","name":"f","content":"ok"}],
             "functions":[{"name":"f","parameters":{"type":"object","properties":{}}}],"function_call":{"name":"f"}}
            """
        ).1
        XCTAssertEqual(body["tools"]?[0]?["name"], "f")
        XCTAssertEqual(body["tool_choice"], ["type": "tool", "name": "f"])
        let messages = body["messages"]?.arrayValue ?? []
        XCTAssertEqual(messages[1]["content"]?[0]?["type"], "tool_use")
        XCTAssertEqual(messages[2]["content"]?[0]?["tool_use_id"], messages[1]["content"]?[0]?["id"])
    }

    func testJSONSchemaIsEmulatedWithAForcedTool() throws {
        let body = try translate(
            """
            {"messages":[{"role":"user","content":"Extract"}],"response_format":{"type":"json_schema","json_schema":{"name":"person",
             "schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false},"strict":true}}}
            """
        ).1
        XCTAssertEqual(body["tools"]?[0]?["name"], "json_output")
        XCTAssertEqual(body["tools"]?[0]?["input_schema"]?["required"], ["name"])
        XCTAssertEqual(body["tool_choice"], ["type": "tool", "name": "json_output"])
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try adapter.chatRequest(
                ProviderFixtures.chat(
                    #"{"messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"l","schema":{"type":"array"}}}}"#
                ),
                model: "m", provider: ProviderFixtures.anthropic, info: nil, stream: false)
        }
        XCTAssertEqual(failure?.kind, .badRequest)
        let jsonMode = try translate(
            #"{"messages":[{"role":"system","content":"Be nice."}],"response_format":{"type":"json_object"}}"#
        ).1
        XCTAssertEqual(jsonMode["system"], .string("Be nice.\n\n" + AnthropicAdapter.jsonObjectInstruction))
    }

    func testReasoningBecomesAThinkingBudget() throws {
        let low = try translate(#"{"messages":[],"reasoning_effort":"low","temperature":0.2,"top_k":5,"top_p":0.5}"#).1
        XCTAssertEqual(low["thinking"], ["type": "enabled", "budget_tokens": 1024])
        XCTAssertEqual(low["max_tokens"], 4096)
        XCTAssertNil(low["temperature"], "thinking rejects temperature")
        XCTAssertNil(low["top_k"])
        XCTAssertNil(low["top_p"], "thinking allows top_p only from 0.95")
        let high = try translate(#"{"messages":[],"reasoning_effort":"high","max_tokens":1000}"#).1
        XCTAssertEqual(high["thinking"]?["budget_tokens"], 16_384)
        XCTAssertEqual(high["max_tokens"], 17_384, "the budget stays below max_tokens")
        let medium = try translate(#"{"messages":[],"reasoning":{"effort":"medium"}}"#).1
        XCTAssertEqual(medium["thinking"]?["budget_tokens"], 4096)
        let explicit = try translate(#"{"messages":[],"reasoning":{"max_tokens":2000},"max_tokens":8000}"#).1
        XCTAssertEqual(explicit["thinking"]?["budget_tokens"], 2000)
        XCTAssertEqual(explicit["max_tokens"], 8000)
    }

    func testThinkingIsCappedByTheModelAndLeftOffForForcedTools() throws {
        let info = ModelInfo(id: ModelID(provider: "anthropic", model: "claude-3-7-sonnet"), maxOutputTokens: 8192)
        let capped = try translate(#"{"messages":[],"reasoning_effort":"high"}"#, info: info).1
        XCTAssertEqual(capped["max_tokens"], 8192)
        XCTAssertEqual(capped["thinking"]?["budget_tokens"], 8191)
        let forced = try translate(
            #"{"messages":[],"reasoning_effort":"high","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required","temperature":0.3}"#
        ).1
        XCTAssertNil(forced["thinking"])
        XCTAssertEqual(forced["temperature"], 0.3)
        let toolLoop = try translate(
            """
            {"messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"w","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"sunny"}],"reasoning_effort":"low"}
            """
        ).1
        XCTAssertNil(toolLoop["thinking"], "the unsigned tool turn would be rejected with thinking on")
    }

    func testCacheControlMarkersArePreserved() throws {
        let body = try translate(
            """
            {"messages":[{"role":"system","content":[{"type":"text","text":"Long context","cache_control":{"type":"ephemeral"}}]},
              {"role":"user","content":[{"type":"text","text":"Q","cache_control":{"type":"ephemeral"}}]}]}
            """
        ).1
        XCTAssertEqual(body["system"], [["type": "text", "text": "Long context", "cache_control": ["type": "ephemeral"]]])
        XCTAssertEqual(body["messages"]?[0]?["content"]?[0]?["cache_control"], ["type": "ephemeral"])
    }

    func testPDFFilesAndInexpressibleInputs() throws {
        let pdf = try translate(
            #"{"messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}"#
        ).1
        XCTAssertEqual(
            pdf["messages"]?[0]?["content"]?[0],
            ["type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"]])
        let bad = [
            #"{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAA=","format":"wav"}}]}]}"#,
            #"{"messages":[{"role":"user","content":"hi"}],"n":2}"#,
            #"{"messages":[{"role":"critic","content":"hi"}]}"#,
            #"{"messages":[{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{not json"}}]}]}"#,
            #"{"messages":[{"role":"tool","content":"orphan"}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}"#,
            #"{"messages":[],"response_format":{"type":"grammar"}}"#,
        ]
        for text in bad {
            let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.chatRequest(
                    ProviderFixtures.chat(text), model: "m", provider: ProviderFixtures.anthropic,
                    info: nil, stream: false)
            }
            XCTAssertEqual(failure?.kind, .badRequest, text)
        }
    }

    func testModelsRequestAndList() throws {
        let request = adapter.modelsRequest(provider: ProviderFixtures.anthropic)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.url, "https://api.anthropic.com/v1/models?limit=1000")
        XCTAssertEqual(request.header("x-api-key"), "sk-ant-test")
        let body =
            #"{"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-opus-4-1-20250805"}],"has_more":false,"first_id":"a","last_id":"b"}"#
        XCTAssertEqual(try adapter.modelNames(Array(body.utf8)), ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805"])
    }
}
