import JSON
import Routing
import XCTest

@testable import Gateway

/// Anthropic Messages requests → the router's OpenAI body.
final class AnthropicInboundTests: XCTestCase {
    private func translate(_ text: String) throws -> JSONObject {
        try AnthropicInbound.chatBody(try XCTUnwrap(JSON.parse(text).objectValue))
    }

    private func refusal(_ text: String, line: UInt = #line) throws -> RoutingError {
        try translationError(text, line: line) { (request: JSONObject) throws(RoutingError) -> JSONObject in
            try AnthropicInbound.chatBody(request)
        }
    }

    func testPlainRequestKeepsModelLimitsSamplingAndSwitchyardFields() throws {
        let body = try translate(
            """
            {"model": "fake/cheap", "max_tokens": 100, "system": "be brief", "temperature": 0.5, "top_p": 0.9,
             "top_k": 40, "stop_sequences": ["END"], "stream": true, "metadata": {"user_id": "u1"},
             "models": ["fake/other"], "tags": ["t1"],
             "messages": [{"role": "user", "content": "hello"}]}
            """)
        XCTAssertEqual(
            body,
            [
                "model": "fake/cheap", "max_tokens": 100, "temperature": 0.5, "top_p": 0.9, "top_k": 40,
                "stop": ["END"], "stream": true, "models": ["fake/other"], "tags": ["t1"],
                "messages": [["role": "system", "content": "be brief"], ["role": "user", "content": "hello"]],
            ])
    }

    func testSystemBlocksImagesAndDocumentsBecomePartsWithCacheMarkers() throws {
        let body = try translate(
            """
            {"model": "m", "max_tokens": 5,
             "system": [{"type": "text", "text": "rules", "cache_control": {"type": "ephemeral"}}],
             "messages": [{"role": "user", "content": [
               {"type": "text", "text": "look"},
               {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
               {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}},
               {"type": "document", "title": "a.pdf", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}},
               {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}}]}]}
            """)
        let messages = try XCTUnwrap(body["messages"]?.arrayValue)
        XCTAssertEqual(
            messages[0],
            [
                "role": "system",
                "content": [
                    ["type": "text", "text": "rules", "cache_control": ["type": "ephemeral"]]
                ],
            ])
        XCTAssertEqual(
            messages[1]["content"],
            [
                ["type": "text", "text": "look"],
                ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBOR"]],
                ["type": "image_url", "image_url": ["url": "https://example.com/a.jpg"]],
                ["type": "file", "file": ["file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"]],
                ["type": "text", "text": "notes"],
            ])
    }

    func testToolUseAndToolResultsBecomeToolCallsAndToolMessagesInOrder() throws {
        let body = try translate(
            """
            {"model": "m", "max_tokens": 5, "messages": [
              {"role": "user", "content": "weather?"},
              {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
              {"role": "user", "content": [
                {"type": "text", "text": "also this"},
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "sunny"}]},
                {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": true, "content": "boom"}]}]}
            """)
        XCTAssertEqual(
            body["messages"],
            [
                ["role": "user", "content": "weather?"],
                [
                    "role": "assistant", "content": "Checking.",
                    "tool_calls": [
                        [
                            "id": "toolu_1", "type": "function",
                            "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#],
                        ]
                    ],
                ],
                ["role": "tool", "tool_call_id": "toolu_1", "content": "sunny"],
                [
                    "role": "tool", "tool_call_id": "toolu_2",
                    "content": [
                        ["type": "text", "text": "The tool reported an error:"], ["type": "text", "text": "boom"],
                    ],
                ],
                ["role": "user", "content": "also this"],
            ])
    }

    func testToolsToolChoiceThinkingAndOutputFormat() throws {
        let body = try translate(
            """
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}],
             "tools": [{"name": "f", "description": "d", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}},
                       {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}],
             "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
             "thinking": {"type": "enabled", "budget_tokens": 2048},
             "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}
            """)
        XCTAssertEqual(
            body["tools"],
            [
                [
                    "type": "function", "function": ["name": "f", "description": "d", "parameters": ["type": "object"]],
                    "cache_control": ["type": "ephemeral"],
                ],
                ["type": "web_search_20250305", "name": "web_search", "max_uses": 2],
            ])
        XCTAssertEqual(body["tool_choice"], "required")
        XCTAssertEqual(body["parallel_tool_calls"], false)
        XCTAssertEqual(body["reasoning"], ["max_tokens": 2048])
        XCTAssertEqual(
            body["response_format"],
            ["type": "json_schema", "json_schema": ["name": "output", "schema": ["type": "object"]]])

        var choice: JSONObject = [:]
        try AnthropicInbound.applyToolChoice(["type": "tool", "name": "f"], to: &choice)
        XCTAssertEqual(choice["tool_choice"], ["type": "function", "function": ["name": "f"]])
        try AnthropicInbound.applyToolChoice(["type": "none"], to: &choice)
        XCTAssertEqual(choice["tool_choice"], "none")
        XCTAssertEqual(try AnthropicInbound.reasoning(["type": "disabled"], effort: nil), ["enabled": false])
        XCTAssertEqual(try AnthropicInbound.reasoning(["type": "adaptive"], effort: "high"), ["effort": "high"])
    }

    func testProblemsAreInvalidRequestsNamingTheField() throws {
        let missing = try refusal(#"{"model": "m", "messages": [{"role": "user", "content": "x"}]}"#)
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(missing.parameter, "max_tokens")
        XCTAssertEqual(
            try refusal(#"{"max_tokens": 1, "messages": [{"role": "system", "content": "x"}]}"#).parameter,
            "messages.0.role")
        XCTAssertEqual(try refusal(#"{"max_tokens": 1, "messages": []}"#).parameter, "messages")
        XCTAssertEqual(
            try refusal(#"{"max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "audio"}]}]}"#).parameter,
            "messages.0.content.0.type")
        XCTAssertEqual(
            try refusal(#"{"max_tokens": 1, "messages": [{"role": "user", "content": "x"}], "tools": [{"name": "f"}]}"#)
                .parameter,
            "tools.0.input_schema")
        XCTAssertEqual(
            try refusal(
                #"{"max_tokens": 1, "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "enabled"}}"#
            ).parameter,
            "thinking.budget_tokens")
        // count_tokens has no max_tokens.
        let counted = try AnthropicInbound.chatBody(
            ["messages": [["role": "user", "content": "x"]]], requireMaxTokens: false)
        XCTAssertNil(counted["max_tokens"])
    }
}
