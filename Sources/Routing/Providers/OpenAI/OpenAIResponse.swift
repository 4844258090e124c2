import JSON

/// Decoding a non-streaming Chat Completions answer: it is already in our shape, so only the reasoning field of
/// OpenAI-compatible servers is normalised and usage read out.
enum OpenAIResponse {
    static func completion(_ bytes: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        var body = try JSONPayload.object(bytes, what: "chat completion")
        guard case .array(var choices)? = body["choices"] else {
            // Some compatible servers answer 200 with an error body.
            if body["error"] != nil {
                throw OpenAIErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(body)))
            }
            throw UpstreamFailure(.invalidResponse, message: "the chat completion has no 'choices' array")
        }
        for position in choices.indices {
            if var message = choices[position]["message"]?.objectValue {
                normalizeReasoning(&message)
                choices[position]["message"] = .object(message)
            }
        }
        // A choice that finished with `content_filter` and no content is still an answer: the client decides.
        body["choices"] = .array(choices)
        if body["object"] == nil { body["object"] = "chat.completion" }
        if body["model"] == nil { body["model"] = .string(model) }
        return ChatCompletion(
            body: body, usage: TokenUsage(openAI: body["usage"]) ?? TokenUsage(),
            reportedUsage: body["usage"]?.objectValue)
    }

    /// DeepSeek, vLLM and llama.cpp send `reasoning_content`; OpenRouter and Ollama send `reasoning`. Clients get
    /// one name: `reasoning_content`.
    static func normalizeReasoning(_ message: inout JSONObject) {
        guard case .string(let reasoning)? = message["reasoning"] else { return }
        if message["reasoning_content"] == nil { message["reasoning_content"] = .string(reasoning) }
        message["reasoning"] = nil
    }
}
