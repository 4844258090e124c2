import JSON

/// Anthropic's Messages API. Requests are translated from the OpenAI shape (system prompt lifted out, parts and
/// tool calls turned into content blocks, `max_tokens` made explicit, reasoning turned into a thinking budget,
/// JSON-schema answers emulated with a forced tool); answers and stream events are translated back.
public struct AnthropicAdapter: ProviderAdapter, ModelListingAdapter {
    /// The API version every request pins (the only one Anthropic has published for the Messages API).
    static let apiVersion = "2023-06-01"

    /// The adapter is stateless; one value serves every call.
    public init() {}

    /// Always `.anthropic`.
    public var kind: ProviderKind { .anthropic }

    /// `POST {base}/messages`. Throws `.badRequest` for what Anthropic cannot express (audio input, `n` > 1,
    /// unknown roles, tool calls whose arguments are not a JSON object).
    public func chatRequest(
        _ request: ChatRequest, model: String, provider: ProviderConfig, info: ModelInfo?,
        stream: Bool
    ) throws(UpstreamFailure) -> UpstreamRequest {
        let source = LegacyFunctions.normalized(request.body)
        if let choices = source["n"]?.intValue, choices != 1 {
            throw UpstreamFailure(.badRequest, message: "Anthropic returns one choice per request: 'n' must be 1")
        }
        let conversation = try Self.conversation(source["messages"]?.arrayValue ?? [])
        var system = conversation.system
        var tools = try Self.tools(source["tools"])
        var toolChoice = try Self.toolChoice(
            source["tool_choice"], parallelToolCalls: source["parallel_tool_calls"]?.boolValue)
        switch source["response_format"]?["type"]?.stringValue {
        case "json_schema"?:
            tools.append(try Self.jsonOutputTool(source["response_format"]?["json_schema"]))
            toolChoice = ["type": "tool", "name": .string(Self.jsonOutputToolName)]
        case "json_object"?:
            system.append(["type": "text", "text": .string(Self.jsonObjectInstruction)])
        case "text"?, nil:
            break
        case let other?:
            throw UpstreamFailure(
                .badRequest, message: "response_format type '\(other)' is not supported for Anthropic models")
        }

        var body: JSONObject = ["model": .string(model)]
        var maxTokens = request.maxOutputTokens ?? info?.maxOutputTokens ?? 4096
        // Anthropic: "tool use with thinking only supports tool_choice auto or none". A forced tool (or our
        // json_output emulation) shapes the answer the client's code expects, so it wins and thinking is left off.
        let forcesTool = ["any", "tool"].contains(toolChoice?["type"]?.stringValue ?? "")
        // Anthropic also wants the last assistant turn's tool calls preceded by their signed thinking block,
        // which the OpenAI shape cannot carry back: in the middle of a tool loop thinking stays off too.
        let continuesToolLoop = conversation.lastAssistantCallsTools
        var thinking = false
        if case .budget(var budget, _)? = ReasoningRequest(source), !forcesTool, !continuesToolLoop {
            // The budget counts towards max_tokens and must stay below it: the client's cap is kept for the answer.
            if maxTokens <= budget { maxTokens += budget }
            if let cap = info?.maxOutputTokens, maxTokens > cap {
                maxTokens = cap
                budget = min(budget, cap - 1)
            }
            if budget >= 1024 {  // Anthropic's minimum budget
                body["thinking"] = ["type": "enabled", "budget_tokens": .int(Int64(budget))]
                thinking = true
            }
        }
        body["max_tokens"] = .int(Int64(maxTokens))
        if !system.isEmpty { body["system"] = Self.systemValue(system) }
        body["messages"] = .array(conversation.messages.map(JSON.object))
        switch source["stop"] {
        case .string(let stop)?: body["stop_sequences"] = [.string(stop)]
        case .array(let stops)?: body["stop_sequences"] = .array(stops)
        default: break
        }
        // Anthropic: "thinking isn't compatible with temperature or top_k modifications"; top_p may only be
        // between 0.95 and 1 while thinking.
        if !thinking {
            // OpenAI allows temperatures up to 2, Anthropic up to 1: clamp rather than fail a request that a
            // fallback to another provider made valid.
            if let temperature = source["temperature"]?.doubleValue { body["temperature"] = .double(min(temperature, 1)) }
            if let topK = source["top_k"], !topK.isNull { body["top_k"] = topK }
        }
        if let topP = source["top_p"]?.doubleValue, !thinking || topP >= 0.95 { body["top_p"] = .double(topP) }
        if !tools.isEmpty {
            body["tools"] = .array(tools)
            if let toolChoice { body["tool_choice"] = .object(toolChoice) }
        }
        if let user = source["user"]?.stringValue { body["metadata"] = ["user_id": .string(user)] }
        if stream { body["stream"] = true }
        return ProviderHTTP.request(
            url: provider.baseURL + "/messages", provider: provider,
            auth: Self.auth(provider), body: body, stream: stream)
    }

    /// A `message` → `chat.completion` (text, thinking as `reasoning_content`, `tool_use` as `tool_calls`).
    public func chatResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        try AnthropicResponse.completion(body, model: model)
    }

    /// A decoder for one Messages event stream.
    public func makeStreamDecoder(model: String) -> ChatStreamDecoder {
        AnthropicStreamDecoder(model: model)
    }

    /// Maps the error `type` (or the status when there is none) and `retry-after`.
    public func failure(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure {
        AnthropicErrors.failure(status: status, headers: headers, error: ErrorBody(body))
    }

    /// `GET {base}/models?limit=1000` (the list is paged, 20 by default and 1000 at most).
    public func modelsRequest(provider: ProviderConfig) -> UpstreamRequest {
        ProviderHTTP.request(
            method: "GET", url: provider.baseURL + "/models?limit=1000", provider: provider,
            auth: Self.auth(provider), body: nil)
    }

    /// `data[].id`.
    public func modelNames(_ body: [UInt8]) throws(UpstreamFailure) -> [String] {
        let object = try JSONPayload.object(body, what: "Anthropic model list")
        guard let models = object["data"]?.arrayValue else {
            throw UpstreamFailure(.invalidResponse, message: "the Anthropic model list has no 'data' array")
        }
        return models.compactMap { $0["id"]?.stringValue }
    }

    /// `x-api-key` and `anthropic-version`.
    static func auth(_ provider: ProviderConfig) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let key = ProviderHTTP.key(provider) { headers.append(("x-api-key", key)) }
        headers.append(("anthropic-version", apiVersion))
        return headers
    }

    /// The instruction that stands in for OpenAI's JSON mode, which Anthropic lacks.
    static let jsonObjectInstruction = "Respond with a single valid JSON object only: no prose and no code fences."

    /// A plain string when the blocks carry only text, else the blocks (to keep `cache_control` markers).
    static func systemValue(_ blocks: [JSONObject]) -> JSON {
        if blocks.allSatisfy({ $0["cache_control"] == nil }) {
            return .string(blocks.compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n"))
        }
        return .array(blocks.map(JSON.object))
    }
}
