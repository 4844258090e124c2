import JSON

/// Decoding a `GenerateContentResponse` into a `chat.completion`, plus the pieces the stream decoder shares.
/// Gemini writes proto3 JSON, which leaves out empty fields: a candidate may have no `content` or no `parts`.
enum GeminiResponse {
    static func completion(_ bytes: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        let body = try JSONPayload.object(bytes, what: "Gemini response")
        let candidates = try candidates(of: body)
        var choices: [JSON] = []
        for (position, candidate) in candidates.enumerated() {
            let decoded = parts(of: candidate, firstToolIndex: 0)
            let finish = finishReason(candidate["finishReason"]?.stringValue, hasToolCalls: !decoded.toolCalls.isEmpty)
            choices.append(
                OpenAIShape.choice(
                    index: Int(candidate["index"]?.intValue ?? Int64(position)), content: decoded.text,
                    reasoning: decoded.reasoning, toolCalls: decoded.toolCalls, finishReason: finish))
        }
        let usage = usage(body["usageMetadata"])
        let completion = OpenAIShape.completion(
            id: body["responseId"]?.stringValue ?? OpenAIShape.newID(), model: body["modelVersion"]?.stringValue ?? model,
            created: OpenAIShape.now(), choices: choices, usage: usage)
        return ChatCompletion(body: completion, usage: usage)
    }

    /// The candidates, after checking for an error body and for a prompt Gemini refused outright (no candidates
    /// and a `promptFeedback.blockReason`: `.contentFiltered`). An empty list is possible mid-stream.
    static func candidates(of body: JSONObject, allowEmpty: Bool = false) throws(UpstreamFailure) -> [JSON] {
        if body["error"] != nil {
            throw GeminiErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(body)))
        }
        let candidates = body["candidates"]?.arrayValue ?? []
        if candidates.isEmpty {
            if let reason = body["promptFeedback"]?["blockReason"]?.stringValue {
                throw UpstreamFailure(.contentFiltered, message: "Gemini blocked the prompt (\(reason))")
            }
            if !allowEmpty { throw UpstreamFailure(.invalidResponse, message: "the Gemini response has no candidates") }
        }
        return candidates
    }

    /// What one candidate's parts carry, in OpenAI terms.
    struct Parts {
        var text: String?
        var reasoning: String?
        var toolCalls: [JSON] = []
    }

    /// Text parts → text, `thought: true` parts → reasoning, `functionCall` parts → tool calls with ids
    /// `call_<n>` counting from `firstToolIndex` (Gemini's calls have no ids; the next request maps ids back to
    /// names from the history). A call's `thoughtSignature` travels in `extra_content.google.thought_signature`.
    static func parts(of candidate: JSON, firstToolIndex: Int) -> Parts {
        var result = Parts()
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if let call = part["functionCall"] {
                var toolCall = OpenAIShape.toolCall(
                    id: "call_\(firstToolIndex + result.toolCalls.count)",
                    name: call["name"]?.stringValue ?? "",
                    arguments: (call["args"] ?? [:]).jsonString)
                if let signature = part["thoughtSignature"]?.stringValue {
                    toolCall["extra_content"] = ["google": ["thought_signature": .string(signature)]]
                }
                result.toolCalls.append(toolCall)
            } else if let text = part["text"]?.stringValue {
                if part["thought"]?.boolValue == true {
                    result.reasoning = (result.reasoning ?? "") + text
                } else {
                    result.text = (result.text ?? "") + text
                }
            }
            // Other parts (executable code, inline data the model produced) have no OpenAI equivalent here.
        }
        return result
    }

    /// STOP → `stop` (`tool_calls` when the candidate called functions), MAX_TOKENS → `length`, the safety family
    /// → `content_filter`; `nil` while the candidate is still going.
    static func finishReason(_ reason: String?, hasToolCalls: Bool) -> String? {
        switch reason {
        case nil, "FINISH_REASON_UNSPECIFIED"?: nil
        case "MAX_TOKENS"?: "length"
        case "SAFETY"?, "RECITATION"?, "BLOCKLIST"?, "PROHIBITED_CONTENT"?, "SPII"?, "IMAGE_SAFETY"?: "content_filter"
        // STOP, and the odd ones (MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER): the candidate ended without a limit.
        default: hasToolCalls ? "tool_calls" : "stop"
        }
    }

    /// Gemini counts thinking apart from the answer (`thoughtsTokenCount`); OpenAI counts it inside completion
    /// tokens and reports the reasoning share.
    static func usage(_ metadata: JSON?) -> TokenUsage {
        let thoughts = Int(metadata?["thoughtsTokenCount"]?.intValue ?? 0)
        return TokenUsage(
            prompt: Int(metadata?["promptTokenCount"]?.intValue ?? 0),
            completion: Int(metadata?["candidatesTokenCount"]?.intValue ?? 0) + thoughts,
            cached: Int(metadata?["cachedContentTokenCount"]?.intValue ?? 0), reasoning: thoughts)
    }
}
