import JSON

/// Decoding an Anthropic `message` into a `chat.completion`, plus the mappings the stream decoder shares.
enum AnthropicResponse {
    static func completion(_ bytes: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        let body = try JSONPayload.object(bytes, what: "Anthropic message")
        if body["type"]?.stringValue == "error" {
            throw AnthropicErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(body)))
        }
        guard let blocks = body["content"]?.arrayValue else {
            throw UpstreamFailure(.invalidResponse, message: "the Anthropic message has no 'content' array")
        }
        var text: String?
        var reasoning: String?
        var toolCalls: [JSON] = []
        var jsonOutput: String?
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text"?:
                text = (text ?? "") + (block["text"]?.stringValue ?? "")
            case "thinking"?:
                reasoning = (reasoning ?? "") + (block["thinking"]?.stringValue ?? "")
            case "tool_use"?:
                let name = block["name"]?.stringValue ?? ""
                let input = (block["input"] ?? [:]).jsonString
                if name == AnthropicAdapter.jsonOutputToolName {
                    jsonOutput = input
                } else {
                    toolCalls.append(OpenAIShape.toolCall(id: block["id"]?.stringValue ?? "", name: name, arguments: input))
                }
            default:
                break  // redacted thinking, server tool blocks: nothing the OpenAI shape can carry
            }
        }
        let usage = usage(body["usage"])
        let finishReason = finishReason(body["stop_reason"]?.stringValue, answeredWithJSONOutput: jsonOutput != nil)
        // The emulated JSON-schema answer replaces any text around it: the client asked for JSON only.
        var choice = OpenAIShape.choice(
            index: 0, content: jsonOutput ?? text, reasoning: reasoning,
            toolCalls: toolCalls, finishReason: finishReason)
        if let sequence = matchedStopSequence(body["stop_reason"], body["stop_sequence"]) {
            choice["stop_reason"] = .string(sequence)
        }
        let completion = OpenAIShape.completion(
            id: body["id"]?.stringValue ?? OpenAIShape.newID(), model: body["model"]?.stringValue ?? model,
            created: OpenAIShape.now(), choices: [choice], usage: usage)
        return ChatCompletion(body: completion, usage: usage)
    }

    /// The stop sequence that ended the answer, for the choice's `stop_reason` (the member OpenAI-compatible servers
    /// such as vLLM use): the Messages face turns it back into `stop_reason: "stop_sequence"` with the sequence.
    static func matchedStopSequence(_ reason: JSON?, _ sequence: JSON?) -> String? {
        guard reason?.stringValue == "stop_sequence" else { return nil }
        return sequence?.stringValue
    }

    /// `end_turn`/`stop_sequence` → `stop`, `max_tokens` → `length`, `tool_use` → `tool_calls` (or `stop` when
    /// the tool was our `json_output`), `refusal` → `content_filter`.
    static func finishReason(_ stopReason: String?, answeredWithJSONOutput: Bool) -> String? {
        switch stopReason {
        case nil: nil
        case "max_tokens"?, "model_context_window_exceeded"?: "length"
        case "tool_use"?: answeredWithJSONOutput ? "stop" : "tool_calls"
        case "refusal"?: "content_filter"
        // end_turn, stop_sequence, pause_turn and any reason added later: the model stopped on its own.
        default: "stop"
        }
    }

    /// Anthropic counts cache reads and writes apart from `input_tokens`; the OpenAI shape counts every prompt
    /// token in `prompt_tokens` and the cached share in `cached_tokens`. Cache writes are kept apart too, since
    /// they cost more than plain input.
    static func usage(_ usage: JSON?) -> TokenUsage {
        let input = Int(usage?["input_tokens"]?.intValue ?? 0)
        let cacheRead = Int(usage?["cache_read_input_tokens"]?.intValue ?? 0)
        let cacheWrite = Int(usage?["cache_creation_input_tokens"]?.intValue ?? 0)
        return TokenUsage(
            prompt: input + cacheRead + cacheWrite, completion: Int(usage?["output_tokens"]?.intValue ?? 0),
            cached: cacheRead, cacheWrite: cacheWrite)
    }
}
