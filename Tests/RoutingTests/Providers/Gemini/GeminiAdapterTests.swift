import JSON
import XCTest

@testable import Routing

final class GeminiAdapterTests: XCTestCase {
    private let adapter = GeminiAdapter()

    private func translate(_ text: String, stream: Bool = false) throws -> (UpstreamRequest, JSONObject) {
        let upstream = try adapter.chatRequest(
            ProviderFixtures.chat(text), model: "gemini-2.5-flash",
            provider: ProviderFixtures.gemini, info: nil, stream: stream)
        return (upstream, ProviderFixtures.body(upstream))
    }

    private func badRequest(_ text: String) -> UpstreamFailure? {
        ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try adapter.chatRequest(
                ProviderFixtures.chat(text), model: "gemini-2.5-flash",
                provider: ProviderFixtures.gemini, info: nil, stream: false)
        }
    }

    func testURLsHeadersAndGenerationConfig() throws {
        let (upstream, body) = try translate(
            """
            {"model":"gemini/gemini-2.5-flash","messages":[{"role":"system","content":"You are a cat."},
              {"role":"user","content":"Hello"},{"role":"assistant","content":"Meow."},{"role":"user","content":"Why?"}],
             "temperature":1.5,"top_p":0.8,"top_k":20,"max_tokens":800,"stop":["\\n\\n"],"seed":42,"presence_penalty":0.1,
             "frequency_penalty":0.2,"n":2}
            """)
        XCTAssertEqual(
            upstream.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")
        XCTAssertEqual(upstream.header("x-goog-api-key"), "AIza-test")
        XCTAssertNil(upstream.header("authorization"))
        XCTAssertNil(body["model"])
        XCTAssertEqual(body["systemInstruction"], ["parts": [["text": "You are a cat."]]])
        XCTAssertEqual(
            body["contents"],
            [
                ["role": "user", "parts": [["text": "Hello"]]], ["role": "model", "parts": [["text": "Meow."]]],
                ["role": "user", "parts": [["text": "Why?"]]],
            ])
        XCTAssertEqual(
            body["generationConfig"],
            [
                "temperature": 1.5, "topP": 0.8, "topK": 20, "seed": 42, "presencePenalty": 0.1, "frequencyPenalty": 0.2,
                "candidateCount": 2, "maxOutputTokens": 800, "stopSequences": ["\n\n"],
            ])

        let (streaming, _) = try translate(#"{"messages":[{"role":"user","content":"hi"}]}"#, stream: true)
        XCTAssertEqual(
            streaming.url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        XCTAssertEqual(streaming.header("accept"), "text/event-stream")
        XCTAssertNil(try translate(#"{"messages":[{"role":"user","content":"hi"}]}"#).1["generationConfig"])
    }

    func testImagesAudioAndFiles() throws {
        let body = try translate(
            """
            {"messages":[{"role":"user","content":[{"type":"text","text":"Compare"},
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
              {"type":"image_url","image_url":{"url":"https://example.com/photo.webp"}},
              {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
              {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0x"}}]}]}
            """
        ).1
        XCTAssertEqual(
            body["contents"]?[0]?["parts"],
            [
                ["text": "Compare"], ["inlineData": ["mimeType": "image/jpeg", "data": "/9j/4AAQ"]],
                ["fileData": ["fileUri": "https://example.com/photo.webp", "mimeType": "image/webp"]],
                ["inlineData": ["mimeType": "audio/wav", "data": "UklGRg=="]],
                ["inlineData": ["mimeType": "application/pdf", "data": "JVBERi0x"]],
            ])
    }

    func testToolsWithCleanedSchemasAndToolChoices() throws {
        let tools = """
            "tools":[{"type":"function","function":{"name":"find_movies","description":"find movie titles","strict":true,
              "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
              "properties":{"location":{"type":"string","format":"uri"},"strict":{"type":["boolean","null"]},
              "genre":{"const":"drama"}},"required":["location"]}}},{"type":"function","function":{"name":"ping","parameters":{"type":"object","properties":{}}}}]
            """
        let body = try translate(#"{"messages":[{"role":"user","content":"x"}],\#(tools),"tool_choice":"auto"}"#).1
        XCTAssertEqual(
            body["tools"],
            [
                [
                    "functionDeclarations": [
                        [
                            "name": "find_movies", "description": "find movie titles",
                            "parameters": [
                                "type": "object",
                                "properties": [
                                    "location": ["type": "string"], "strict": ["type": "boolean", "nullable": true],
                                    "genre": ["enum": ["drama"]],
                                ],
                                "required": ["location"],
                            ],
                        ],
                        ["name": "ping"],
                    ]
                ]
            ])
        let choices: [(String, JSON)] = [
            (#""auto""#, ["functionCallingConfig": ["mode": "AUTO"]]),
            (#""none""#, ["functionCallingConfig": ["mode": "NONE"]]),
            (#""required""#, ["functionCallingConfig": ["mode": "ANY"]]),
            (
                #"{"type":"function","function":{"name":"find_movies"}}"#,
                ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["find_movies"]]]
            ),
        ]
        for (choice, expected) in choices {
            XCTAssertEqual(try translate(#"{"messages":[],\#(tools),"tool_choice":\#(choice)}"#).1["toolConfig"], expected)
        }
        XCTAssertEqual(badRequest(#"{"messages":[],"tools":[{"type":"web_search"}]}"#)?.kind, .badRequest)
    }

    func testSchemaCleaningRecursesThroughSubSchemasOnly() {
        let schema: JSON = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "additionalProperties": ["type": "string", "examples": ["x"]],
                "items": [
                    "type": "array",
                    "items": [
                        "type": "object", "additionalProperties": true,
                        "properties": ["when": ["type": "string", "format": "date-time"]],
                    ],
                ],
                "choice": ["anyOf": [["type": "integer", "exclusiveMinimum": 0], ["type": "null"]]],
            ],
            "$defs": [
                "Thing": ["type": "object", "$comment": "x", "properties": ["n": ["type": "number", "format": "double"]]]
            ],
        ]
        XCTAssertEqual(
            GeminiSchema.cleaned(schema),
            [
                "type": "object",
                "properties": [
                    "additionalProperties": ["type": "string"],
                    "items": [
                        "type": "array",
                        "items": ["type": "object", "properties": ["when": ["type": "string", "format": "date-time"]]],
                    ],
                    "choice": ["anyOf": [["type": "integer"], ["type": "null"]]],
                ],
                "$defs": ["Thing": ["type": "object", "properties": ["n": ["type": "number", "format": "double"]]]],
            ])
    }

    func testToolHistoryBecomesFunctionCallsAndResponses() throws {
        let body = try translate(
            """
            {"messages":[{"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                 "extra_content":{"google":{"thought_signature":"CiQBVKhc7sig"}}},
                {"id":"call_1","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_0","content":"{\\"temp\\":21}"},
              {"role":"tool","tool_call_id":"call_1","content":"noon"},
              {"role":"tool","tool_call_id":"call_x","name":"get_count","content":"[1,2]"}]}
            """
        ).1
        let contents = body["contents"]?.arrayValue ?? []
        XCTAssertEqual(contents.count, 3)
        XCTAssertEqual(
            contents[1],
            [
                "role": "model",
                "parts": [
                    [
                        "functionCall": ["name": "get_weather", "args": ["city": "Paris"]],
                        "thoughtSignature": "CiQBVKhc7sig",
                    ],
                    ["functionCall": ["name": "get_time", "args": [:]]],
                ],
            ])
        XCTAssertEqual(
            contents[2],
            [
                "role": "user",
                "parts": [
                    ["functionResponse": ["name": "get_weather", "response": ["temp": 21]]],
                    ["functionResponse": ["name": "get_time", "response": ["result": "noon"]]],
                    ["functionResponse": ["name": "get_count", "response": ["result": [1, 2]]]],
                ],
            ])
        XCTAssertEqual(badRequest(#"{"messages":[{"role":"tool","tool_call_id":"nope","content":"x"}]}"#)?.kind, .badRequest)
    }

    func testLegacyFunctionsResponseFormatsAndReasoning() throws {
        let legacy = try translate(
            #"{"messages":[{"role":"user","content":"x"}],"functions":[{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}],"function_call":"none"}"#
        ).1
        XCTAssertEqual(legacy["tools"]?[0]?["functionDeclarations"]?[0]?["name"], "f")
        XCTAssertEqual(legacy["toolConfig"], ["functionCallingConfig": ["mode": "NONE"]])

        let schema = try translate(
            #"{"messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object","properties":{"ok":{"type":"boolean"}},"additionalProperties":false}}}}"#
        ).1
        XCTAssertEqual(
            schema["generationConfig"],
            [
                "responseMimeType": "application/json",
                "responseJsonSchema": [
                    "type": "object", "properties": ["ok": ["type": "boolean"]], "additionalProperties": false,
                ],
            ])
        let jsonMode = try translate(#"{"messages":[],"response_format":{"type":"json_object"}}"#).1
        XCTAssertEqual(jsonMode["generationConfig"], ["responseMimeType": "application/json"])

        let reasoning = try translate(#"{"messages":[],"reasoning_effort":"medium"}"#).1
        XCTAssertEqual(reasoning["generationConfig"]?["thinkingConfig"], ["thinkingBudget": 4096, "includeThoughts": true])
        let hidden = try translate(#"{"messages":[],"reasoning":{"max_tokens":2048,"exclude":true}}"#).1
        XCTAssertEqual(hidden["generationConfig"]?["thinkingConfig"], ["thinkingBudget": 2048, "includeThoughts": false])
        let off = try translate(#"{"messages":[],"reasoning_effort":"none"}"#).1
        XCTAssertEqual(off["generationConfig"]?["thinkingConfig"], ["thinkingBudget": 0])
    }

    func testInexpressibleInputs() {
        for text in [
            #"{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"video","video":{}}]}]}"#,
            #"{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}"#,
            #"{"messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}"#,
            #"{"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}"#,
        ] {
            XCTAssertEqual(badRequest(text)?.kind, .badRequest, text)
        }
    }

    func testEmbeddingsAndModelsRequests() throws {
        let request = try adapter.embeddingsRequest(
            ["model": "gemini/text-embedding-004", "input": ["What is life?", "How are you?"], "dimensions": 256],
            model: "text-embedding-004", provider: ProviderFixtures.gemini)
        XCTAssertEqual(
            request.url, "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents")
        XCTAssertEqual(
            ProviderFixtures.body(request),
            [
                "requests": [
                    [
                        "model": "models/text-embedding-004", "content": ["parts": [["text": "What is life?"]]],
                        "outputDimensionality": 256,
                    ],
                    [
                        "model": "models/text-embedding-004", "content": ["parts": [["text": "How are you?"]]],
                        "outputDimensionality": 256,
                    ],
                ]
            ])
        let single = try adapter.embeddingsRequest(
            ["input": "hi"], model: "gemini-embedding-001", provider: ProviderFixtures.gemini)
        XCTAssertEqual(ProviderFixtures.body(single)["requests"]?.arrayValue?.count, 1)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.embeddingsRequest(["input": [[1, 2, 3]]], model: "m", provider: ProviderFixtures.gemini)
            }?.kind, .badRequest)

        let models = adapter.modelsRequest(provider: ProviderFixtures.gemini)
        XCTAssertEqual(models.method, "GET")
        XCTAssertEqual(models.url, "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000")
        XCTAssertEqual(models.header("x-goog-api-key"), "AIza-test")
    }
}
