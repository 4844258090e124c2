import JSON

/// Google's Gemini API (`generateContent` / `streamGenerateContent?alt=sse`). Requests are translated from the
/// OpenAI shape (messages → `contents` with `user`/`model` roles, system → `systemInstruction`, tools →
/// `functionDeclarations`, sampling and output options → `generationConfig`); answers and stream events are
/// translated back.
public struct GeminiAdapter: ProviderAdapter, EmbeddingsAdapter, ModelListingAdapter {
    /// The adapter is stateless; one value serves every call.
    public init() {}

    /// Always `.gemini`.
    public var kind: ProviderKind { .gemini }

    /// `POST {base}/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for streams (without
    /// `alt=sse` Gemini streams one JSON array instead of events).
    public func chatRequest(
        _ request: ChatRequest, model: String, provider: ProviderConfig, info: ModelInfo?,
        stream: Bool
    ) throws(UpstreamFailure) -> UpstreamRequest {
        let source = LegacyFunctions.normalized(request.body)
        let converted = try Self.contents(source["messages"]?.arrayValue ?? [])
        var body: JSONObject = ["contents": .array(converted.contents.map(JSON.object))]
        if !converted.system.isEmpty { body["systemInstruction"] = ["parts": .array(converted.system.map(JSON.object))] }
        let declarations = try Self.functionDeclarations(source["tools"])
        if !declarations.isEmpty {
            body["tools"] = [["functionDeclarations": .array(declarations)]]
            if let toolConfig = try Self.toolConfig(source["tool_choice"]) { body["toolConfig"] = .object(toolConfig) }
        }
        let generationConfig = try Self.generationConfig(source, maxOutputTokens: request.maxOutputTokens)
        if !generationConfig.isEmpty { body["generationConfig"] = .object(generationConfig) }
        let method = stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        return ProviderHTTP.request(
            url: Self.modelURL(provider, model) + method, provider: provider,
            auth: Self.auth(provider), body: body, stream: stream)
    }

    /// A `GenerateContentResponse` → `chat.completion` (one choice per candidate).
    public func chatResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        try GeminiResponse.completion(body, model: model)
    }

    /// A decoder for one `streamGenerateContent?alt=sse` body.
    public func makeStreamDecoder(model: String) -> ChatStreamDecoder {
        GeminiStreamDecoder(model: model)
    }

    /// Maps the canonical `error.status` (or the HTTP status) and the `RetryInfo` delay.
    public func failure(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure {
        GeminiErrors.failure(status: status, headers: headers, error: ErrorBody(body))
    }

    /// Sampling, limits, output format and thinking. Only what the client set is sent: Gemini's defaults differ
    /// per model and are usually right.
    static func generationConfig(_ source: JSONObject, maxOutputTokens: Int?) throws(UpstreamFailure) -> JSONObject {
        var config: JSONObject = [:]
        let renamed = [
            ("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"), ("seed", "seed"),
            ("presence_penalty", "presencePenalty"), ("frequency_penalty", "frequencyPenalty"), ("n", "candidateCount"),
        ]
        for (openAIName, geminiName) in renamed {
            if let value = source[openAIName], !value.isNull { config[geminiName] = value }
        }
        if let maxOutputTokens { config["maxOutputTokens"] = .int(Int64(maxOutputTokens)) }
        switch source["stop"] {
        case .string(let stop)?: config["stopSequences"] = [.string(stop)]
        case .array(let stops)?: config["stopSequences"] = .array(stops)
        default: break
        }
        switch source["response_format"]?["type"]?.stringValue {
        case "json_schema"?:
            guard let schema = source["response_format"]?["json_schema"]?["schema"], schema.objectValue != nil else {
                throw UpstreamFailure(
                    .badRequest, message: "response_format.json_schema.schema must be a JSON schema object")
            }
            // `responseJsonSchema` takes JSON Schema as written (unlike `responseSchema`'s OpenAPI subset).
            config["responseMimeType"] = "application/json"
            config["responseJsonSchema"] = schema
        case "json_object"?:
            config["responseMimeType"] = "application/json"
        case "text"?, nil:
            break
        case let other?:
            throw UpstreamFailure(.badRequest, message: "response_format type '\(other)' is not supported for Gemini models")
        }
        switch ReasoningRequest(source) {
        case .budget(let budget, let exclude)?:
            config["thinkingConfig"] = ["thinkingBudget": .int(Int64(budget)), "includeThoughts": .bool(!exclude)]
        case .disabled?:
            config["thinkingConfig"] = ["thinkingBudget": 0]
        case nil:
            break
        }
        return config
    }

    /// `{base}/models/{model}`; a model name already written as `models/…` is not prefixed twice.
    static func modelURL(_ provider: ProviderConfig, _ model: String) -> String {
        provider.baseURL + "/" + (model.hasPrefix("models/") ? model : "models/" + model)
    }

    /// `x-goog-api-key` (a header rather than the `key=` query parameter, so the key never lands in URL logs).
    static func auth(_ provider: ProviderConfig) -> [(String, String)] {
        ProviderHTTP.key(provider).map { [("x-goog-api-key", $0)] } ?? []
    }
}
