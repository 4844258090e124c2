import JSON

/// OpenAI's Chat Completions API and every server that copies it (OpenRouter, Groq, Together, DeepSeek, xAI,
/// Mistral, Ollama, vLLM, llama.cpp, …). The client already speaks this format, so the body is forwarded with
/// only what must change rewritten: the model name, Switchyard's own fields removed, `stream` and usage reporting,
/// and `max_tokens` renamed for models that reject it. Everything else (tools, legacy `functions`,
/// `response_format`, `reasoning_effort`, `seed`, penalties, `logprobs`, `n`, …) passes through untouched.
public struct OpenAIAdapter: ProviderAdapter, EmbeddingsAdapter, ModelListingAdapter {
    /// The adapter is stateless; one value serves every call.
    public init() {}

    /// Always `.openai`.
    public var kind: ProviderKind { .openai }

    /// `POST {base}/chat/completions` with `Authorization: Bearer` (omitted for keyless local servers).
    public func chatRequest(
        _ request: ChatRequest, model: String, provider: ProviderConfig, info: ModelInfo?,
        stream: Bool
    ) throws(UpstreamFailure) -> UpstreamRequest {
        let renamesMaxTokens = info?.usesMaxCompletionTokens == true
        let fitsPlatform = Self.isOpenAIPlatform(provider) && Self.hasOtherServersFields(request.body)
        if !fitsPlatform, let encoded = request.encodedBody,
            let spliced = Self.splicedBody(encoded, model: model, stream: stream, renamesMaxTokens: renamesMaxTokens)
        {
            return ProviderHTTP.request(
                url: provider.baseURL + "/chat/completions", provider: provider,
                auth: Self.auth(provider), encodedBody: spliced, stream: stream)
        }
        var body = Self.forwardable(request.body, model: model)
        if stream {
            body["stream"] = true
            // The router needs usage to price the call; the decoder keeps it out of the client's chunks.
            var options = body["stream_options"]?.objectValue ?? [:]
            options["include_usage"] = true
            body["stream_options"] = .object(options)
        } else {
            body["stream"] = nil
            // OpenAI rejects `stream_options` unless `stream` is true.
            body["stream_options"] = nil
        }
        if fitsPlatform { Self.fitForOpenAIPlatform(&body) }
        if renamesMaxTokens, let maxTokens = body["max_tokens"] {
            if body["max_completion_tokens"] == nil { body["max_completion_tokens"] = maxTokens }
            body["max_tokens"] = nil
        }
        return ProviderHTTP.request(
            url: provider.baseURL + "/chat/completions", provider: provider,
            auth: Self.auth(provider), body: body, stream: stream)
    }

    /// The answer as sent, with reasoning normalised to `reasoning_content` and usage read out.
    public func chatResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        try OpenAIResponse.completion(body, model: model)
    }

    /// A decoder for one Chat Completions event stream.
    public func makeStreamDecoder(model: String) -> ChatStreamDecoder {
        OpenAIStreamDecoder(model: model)
    }

    /// Maps the status, refined by the error `code`, and `retry-after-ms` / `retry-after`.
    public func failure(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure {
        OpenAIErrors.failure(status: status, headers: headers, error: ErrorBody(body))
    }

    /// The client's body with the model set and Switchyard's own fields removed (they are never sent upstream).
    static func forwardable(_ body: JSONObject, model: String) -> JSONObject {
        var body = body
        for field in ChatRequest.gatewayFields { body[field] = nil }
        body["model"] = .string(model)
        return body
    }

    /// `Authorization: Bearer KEY`, or nothing when no key is configured.
    static func auth(_ provider: ProviderConfig) -> [(String, String)] {
        ProviderHTTP.key(provider).map { [("Authorization", "Bearer " + $0)] } ?? []
    }
}
