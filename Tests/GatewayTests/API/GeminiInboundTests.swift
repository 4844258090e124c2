import JSON
import Routing
import XCTest

@testable import Gateway

/// Gemini `generateContent` requests → the router's OpenAI body.
final class GeminiInboundTests: XCTestCase {
    private func translate(_ text: String, model: String = "fake/m", stream: Bool = false) throws -> JSONObject {
        try GeminiInbound.chatBody(try XCTUnwrap(JSON.parse(text).objectValue), model: model, stream: stream)
    }

    private func refusal(_ text: String, line: UInt = #line) throws -> RoutingError {
        try translationError(text, line: line) { (request: JSONObject) throws(RoutingError) -> JSONObject in
            try GeminiInbound.chatBody(request, model: "fake/m", stream: false)
        }
    }

    func testContentsSystemAndGenerationConfig() throws {
        let body = try translate(
            """
            {"systemInstruction": {"parts": [{"text": "be brief"}, {"text": "and kind"}]},
             "contents": [{"role": "user", "parts": [{"text": "hi"}]},
                          {"role": "model", "parts": [{"text": "thinking", "thought": true}, {"text": "hello"}]},
                          {"parts": [{"text": "more"}]}],
             "generationConfig": {"temperature": 0.3, "topP": 0.8, "topK": 20, "maxOutputTokens": 64,
                                  "stopSequences": ["END"], "candidateCount": 2, "seed": 7,
                                  "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": true}},
             "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
             "models": ["fake/backup"]}
            """, stream: true)
        XCTAssertEqual(
            body,
            [
                "model": "fake/m", "stream": true, "models": ["fake/backup"],
                "messages": [
                    ["role": "system", "content": "be brief\nand kind"], ["role": "user", "content": "hi"],
                    ["role": "assistant", "content": "hello"], ["role": "user", "content": "more"],
                ],
                "temperature": 0.3, "top_p": 0.8, "top_k": 20, "max_tokens": 64, "stop": ["END"], "n": 2, "seed": 7,
                "reasoning": ["max_tokens": 1024, "exclude": false],
            ])
    }

    func testSnakeCaseFieldsAreReadToo() throws {
        let body = try translate(
            """
            {"system_instruction": {"parts": [{"text": "sys"}]},
             "contents": [{"role": "user", "parts": [{"inline_data": {"mime_type": "image/png", "data": "iVBOR"}}]}],
             "generation_config": {"max_output_tokens": 9, "response_mime_type": "application/json"}}
            """)
        XCTAssertEqual(
            body["messages"],
            [
                ["role": "system", "content": "sys"],
                ["role": "user", "content": [["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBOR"]]]],
            ])
        XCTAssertEqual(body["max_tokens"], 9)
        XCTAssertEqual(body["response_format"], ["type": "json_object"])
    }

    func testMediaParts() throws {
        let body = try translate(
            """
            {"contents": [{"role": "user", "parts": [
              {"text": "listen"},
              {"inlineData": {"mimeType": "audio/mpeg", "data": "SUQz"}},
              {"inlineData": {"mimeType": "application/pdf", "data": "JVBE"}},
              {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/a.jpg"}}]}]}
            """)
        XCTAssertEqual(
            body["messages"]?[0]?["content"],
            [
                ["type": "text", "text": "listen"],
                ["type": "input_audio", "input_audio": ["data": "SUQz", "format": "mp3"]],
                ["type": "file", "file": ["file_data": "data:application/pdf;base64,JVBE"]],
                ["type": "image_url", "image_url": ["url": "https://example.com/a.jpg"]],
            ])
    }

    func testFunctionCallsPairWithResponsesByNameAndKeepSignatures() throws {
        let body = try translate(
            """
            {"contents": [
              {"role": "user", "parts": [{"text": "weather in two cities?"}]},
              {"role": "model", "parts": [
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "sig1"},
                {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}},
                {"functionCall": {"id": "given", "name": "get_time", "args": {}}}]},
              {"role": "user", "parts": [
                {"functionResponse": {"name": "get_time", "id": "given", "response": {"time": "noon"}}},
                {"functionResponse": {"name": "get_weather", "response": {"sky": "sunny"}}},
                {"functionResponse": {"name": "get_weather", "response": {"sky": "rain"}}},
                {"text": "thanks"}]}]}
            """)
        let messages = try XCTUnwrap(body["messages"]?.arrayValue)
        XCTAssertEqual(
            messages[1],
            [
                "role": "assistant", "content": .null,
                "tool_calls": [
                    [
                        "id": "call_0", "type": "function",
                        "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#],
                        "extra_content": ["google": ["thought_signature": "sig1"]],
                    ],
                    [
                        "id": "call_1", "type": "function",
                        "function": ["name": "get_weather", "arguments": #"{"city":"Rome"}"#],
                    ],
                    ["id": "given", "type": "function", "function": ["name": "get_time", "arguments": "{}"]],
                ],
            ])
        XCTAssertEqual(
            Array(messages[2...]),
            [
                ["role": "tool", "tool_call_id": "given", "content": #"{"time":"noon"}"#],
                ["role": "tool", "tool_call_id": "call_0", "content": #"{"sky":"sunny"}"#],
                ["role": "tool", "tool_call_id": "call_1", "content": #"{"sky":"rain"}"#],
                ["role": "user", "content": "thanks"],
            ])
    }

    func testToolsSchemasAndFunctionCallingConfig() throws {
        let body = try translate(
            """
            {"contents": [{"parts": [{"text": "x"}]}],
             "tools": [{"functionDeclarations": [
                {"name": "a", "description": "A", "parameters": {"type": "OBJECT", "propertyOrdering": ["q"],
                  "properties": {"q": {"type": "STRING", "nullable": true}, "n": {"type": "ARRAY", "items": {"type": "INTEGER"}}}}},
                {"name": "b", "parametersJsonSchema": {"type": "object", "additionalProperties": false}},
                {"name": "c"}]}],
             "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["a", "c"]}},
             "generationConfig": {"responseMimeType": "application/json",
                                  "responseSchema": {"type": "OBJECT", "properties": {"x": {"type": "NUMBER"}}}}}
            """)
        XCTAssertEqual(
            body["tools"],
            [
                [
                    "type": "function",
                    "function": [
                        "name": "a", "description": "A",
                        "parameters": [
                            "type": "object",
                            "properties": [
                                "q": ["type": ["string", "null"]], "n": ["type": "array", "items": ["type": "integer"]],
                            ],
                        ],
                    ],
                ],
                ["type": "function", "function": ["name": "c", "parameters": ["type": "object", "properties": [:]]]],
            ])
        XCTAssertEqual(body["tool_choice"], "required")
        XCTAssertEqual(
            body["response_format"],
            [
                "type": "json_schema",
                "json_schema": [
                    "name": "response", "schema": ["type": "object", "properties": ["x": ["type": "number"]]],
                ],
            ])

        var single: JSONObject = [:]
        try GeminiInbound.applyTools(
            [
                "tools": [["functionDeclarations": [["name": "a"]]]],
                "toolConfig": ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["a"]]],
            ],
            to: &single)
        XCTAssertEqual(single["tool_choice"], ["type": "function", "function": ["name": "a"]])
    }

    func testThinkingConfig() {
        XCTAssertEqual(GeminiInbound.reasoning(["thinkingBudget": 0]), ["enabled": false])
        XCTAssertEqual(GeminiInbound.reasoning(["thinkingBudget": -1]), ["enabled": true, "exclude": true])
        XCTAssertEqual(
            GeminiInbound.reasoning(["thinkingLevel": "HIGH", "includeThoughts": true]),
            ["effort": "high", "exclude": false])
        XCTAssertNil(GeminiInbound.reasoning(nil))
    }

    func testProblemsAreInvalidArguments() throws {
        XCTAssertEqual(try refusal(#"{"contents": []}"#).parameter, "contents")
        XCTAssertEqual(
            try refusal(#"{"contents": [{"role": "system", "parts": [{"text": "x"}]}]}"#).parameter, "contents[0].role")
        XCTAssertEqual(
            try refusal(#"{"contents": [{"parts": [{"executableCode": {"code": "1"}}]}]}"#).parameter, "contents[0].parts[0]"
        )
        XCTAssertEqual(
            try refusal(#"{"contents": [{"parts": [{"text": "x"}]}], "tools": [{"codeExecution": {}}]}"#).parameter,
            "tools[0]")
        XCTAssertEqual(
            try refusal(#"{"contents": [{"parts": [{"functionResponse": {"name": "f", "response": {}}}]}]}"#).status, 400)
        XCTAssertEqual(
            try refusal(
                #"{"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseMimeType": "text/x.enum"}}"#
            ).parameter,
            "generationConfig.responseMimeType")
    }

    func testModelAndMethodFromThePath() {
        XCTAssertTrue(
            GeminiRoutes.modelAndMethod("models/fake%2Fcheap:generateContent")! == ("fake/cheap", "generateContent"))
        XCTAssertTrue(
            GeminiRoutes.modelAndMethod("models/fake/cheap:streamGenerateContent")! == (
                "fake/cheap", "streamGenerateContent"
            ))
        XCTAssertTrue(
            GeminiRoutes.modelAndMethod("models/ollama%2Fllama3:8b:countTokens")! == ("ollama/llama3:8b", "countTokens"))
        XCTAssertTrue(GeminiRoutes.modelAndMethod("models/pool:generateContent")! == ("pool", "generateContent"))
        XCTAssertNil(GeminiRoutes.modelAndMethod("models/nomethod"))
        XCTAssertNil(GeminiRoutes.modelAndMethod("models/:generateContent"))
        XCTAssertNil(GeminiRoutes.modelAndMethod("tunedModels/x:generateContent"))
    }
}
