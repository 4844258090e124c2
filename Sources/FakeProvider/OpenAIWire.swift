import JSON

/// The OpenAI Chat Completions wire format: `chat.completion` objects, `chat.completion.chunk` events ending with
/// `data: [DONE]`, and `{"error": {"message", "type", "param", "code"}}` errors.
enum OpenAIWire: WireFormat {
    static let contentFilterIsError = true

    static func error(_ failure: FakeFailure) -> FakeReply {
        let (message, type, param, code): (String, String, JSON, JSON)
        switch failure {
        case .status(let status):
            (type, code) = statusTypeAndCode(status)
            (message, param) = (FakeFailure.message(forStatus: status), .null)
        case .contextTooLong:
            message =
                "This model's maximum context length is 128000 tokens. However, your messages resulted in "
                + "250000 tokens. Please reduce the length of the messages."
            (type, param, code) = ("invalid_request_error", "messages", "context_length_exceeded")
        case .contentFilter:
            message =
                "The response was filtered due to the prompt triggering the content management policy "
                + "(fake-provider content-filter)."
            (type, param, code) = ("invalid_request_error", "prompt", "content_filter")
        case .badRequest(let text), .notFound(let text):
            (message, type, param, code) = (text, "invalid_request_error", .null, .null)
        case .authentication(let text):
            (message, type, param, code) = (text, "invalid_request_error", .null, "invalid_api_key")
        }
        let body: JSON = ["error": ["message": .string(message), "type": .string(type), "param": param, "code": code]]
        return .json(body, status: failure.status)
    }

    /// OpenAI's `type` and `code` for an HTTP status.
    private static func statusTypeAndCode(_ status: Int) -> (String, JSON) {
        switch status {
        case 401: ("invalid_request_error", "invalid_api_key")
        case 403: ("permission_error", .null)
        case 404: ("invalid_request_error", "model_not_found")
        case 429: ("requests", "rate_limit_exceeded")
        case 500...: ("server_error", .null)
        default: ("invalid_request_error", .null)
        }
    }

    // MARK: Answers

    static func completion(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> [UInt8] {
        var message: JSON = ["role": "assistant"]
        switch answer.content {
        case .text:
            message["content"] = .string(answer.text)
            message["refusal"] = .null
        case .toolCall(let name, let arguments):
            message["content"] = .null
            message["tool_calls"] = [toolCall(id: id, name: name, arguments: .string(arguments.jsonString))]
        case .refusal:
            message["content"] = .null
            message["refusal"] = "fake-provider refused (content-filter)"
        }
        let choice: JSON = [
            "index": 0, "message": message, "logprobs": .null,
            "finish_reason": .string(finishReason(answer)),
        ]
        let body: JSON = [
            "id": .string("chatcmpl-fake-\(id)"), "object": "chat.completion", "created": .int(fakeCreatedTimestamp),
            "model": .string(model), "choices": [choice], "usage": usage(answer), "system_fingerprint": "fp_fake",
        ]
        return body.serialized()
    }

    static func stream(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> StreamPlan {
        let chunk = ChunkTemplate(id: id, model: model, includeUsage: prompt.includeUsage)
        var plan = StreamPlan()
        switch answer.content {
        case .text(let pieces):
            plan.prefix = [chunk.event(delta: ["role": "assistant", "content": ""])]
            plan.content = pieces.map(chunk.content)
        case .toolCall(let name, let arguments):
            var call = toolCall(id: id, name: name, arguments: "")
            call["index"] = 0
            plan.prefix = [chunk.event(delta: ["role": "assistant", "content": .null, "tool_calls": [call]])]
            plan.content = arguments.jsonString.halves.map { fragment in
                chunk.event(delta: ["tool_calls": [["index": 0, "function": ["arguments": .string(fragment)]]]])
            }
        case .refusal:
            plan.prefix = [chunk.event(delta: ["role": "assistant", "content": .null])]
            plan.content = [chunk.event(delta: ["refusal": "fake-provider refused (content-filter)"])]
        }
        plan.suffix = [chunk.event(delta: [:], finishReason: .string(finishReason(answer)))]
        if prompt.includeUsage { plan.suffix.append(chunk.usageEvent(usage(answer))) }
        plan.suffix.append(SSEEvent(name: nil, raw: Array("[DONE]".utf8)))
        return plan
    }

    /// Writes the chunks of one stream. Chunks differ only in their choice, so the shared fields are serialised
    /// once and each chunk is that prefix, its choice and a fixed tail: no JSON object is built per word. The
    /// bytes are what serialising the whole chunk object would give, members in the same order.
    private struct ChunkTemplate {
        /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"system_fingerprint":"fp_fake","choices":[`
        let head: [UInt8]
        /// With include_usage every chunk carries `usage: null` until the last one fills it in.
        let tail: [UInt8]

        init(id: Int, model: String, includeUsage: Bool) {
            var head = Array(#"{"id":"#.utf8)
            JSON.string("chatcmpl-fake-\(id)").write(into: &head)
            head += #","object":"chat.completion.chunk","created":\#(fakeCreatedTimestamp),"model":"#.utf8
            JSON.string(model).write(into: &head)
            head += #","system_fingerprint":"fp_fake","choices":["#.utf8
            self.head = head
            tail = Array((includeUsage ? #","usage":null}"# : "}").utf8)
        }

        func event(delta: JSON, finishReason: JSON = .null) -> SSEEvent {
            var data = head
            data += #"{"index":0,"delta":"#.utf8
            delta.write(into: &data)
            data += #","logprobs":null,"finish_reason":"#.utf8
            finishReason.write(into: &data)
            data += "}]".utf8
            data += tail
            return SSEEvent(name: nil, raw: data)
        }

        /// The chunk of one word: the hot path of every streamed answer.
        func content(_ piece: String) -> SSEEvent {
            var data = head
            data.reserveCapacity(head.count + piece.utf8.count + 80)
            data += #"{"index":0,"delta":{"content":"#.utf8
            JSON.string(piece).write(into: &data)
            data += #"},"logprobs":null,"finish_reason":null}]"#.utf8
            data += tail
            return SSEEvent(name: nil, raw: data)
        }

        func usageEvent(_ usage: JSON) -> SSEEvent {
            var data = head
            data += #"],"usage":"#.utf8
            usage.write(into: &data)
            data += "}".utf8
            return SSEEvent(name: nil, raw: data)
        }
    }

    private static func toolCall(id: Int, name: String, arguments: JSON) -> JSON {
        [
            "id": .string("call_fake_\(id)"), "type": "function",
            "function": ["name": .string(name), "arguments": arguments],
        ]
    }

    private static func finishReason(_ answer: FakeAnswer) -> String {
        switch answer.content {
        case .toolCall: "tool_calls"
        case .refusal: "content_filter"
        case .text: answer.truncated ? "length" : "stop"
        }
    }

    /// With the details OpenAI sends today (all zero here), so a client can see whether they reached it.
    private static func usage(_ answer: FakeAnswer) -> JSON {
        [
            "prompt_tokens": .int(Int64(answer.promptTokens)), "completion_tokens": .int(Int64(answer.completionTokens)),
            "total_tokens": .int(Int64(answer.promptTokens + answer.completionTokens)),
            "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
            "completion_tokens_details": [
                "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            ],
        ]
    }

    // MARK: Other endpoints

    /// `GET /v1/models`.
    static func models() -> FakeReply {
        let data = FakeCatalog.openAI.map { name -> JSON in
            ["id": .string(name), "object": "model", "created": .int(fakeCreatedTimestamp), "owned_by": "fake-provider"]
        }
        return .json(["object": "list", "data": .array(data)])
    }
}

/// The model names the list endpoints report. Any name is accepted in requests; these only give `models` calls
/// (and SDK discovery) something plausible to show.
enum FakeCatalog {
    static let openAI = ["gpt-fake", "gpt-fake-mini", "text-embedding-fake"]
    static let anthropic = ["claude-fake", "claude-fake-haiku"]
    static let gemini = ["gemini-fake", "gemini-fake-flash", "text-embedding-fake"]
}
