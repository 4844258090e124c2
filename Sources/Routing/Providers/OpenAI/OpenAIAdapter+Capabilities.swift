import JSON

// Embeddings and the model list: both are plain OpenAI endpoints, forwarded with the model name replaced.
extension OpenAIAdapter {
    /// `POST {base}/embeddings` with the client's body, model replaced.
    public func embeddingsRequest(
        _ body: JSONObject, model: String,
        provider: ProviderConfig
    ) throws(UpstreamFailure) -> UpstreamRequest {
        ProviderHTTP.request(
            url: provider.baseURL + "/embeddings", provider: provider, auth: Self.auth(provider),
            body: Self.forwardable(body, model: model))
    }

    /// The answer as sent (it is already the OpenAI list), with its usage read out.
    public func embeddingsResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> (JSONObject, TokenUsage) {
        var object = try JSONPayload.object(body, what: "embeddings response")
        guard object["data"]?.arrayValue != nil else {
            if object["error"] != nil {
                throw OpenAIErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(object)))
            }
            throw UpstreamFailure(.invalidResponse, message: "the embeddings response has no 'data' array")
        }
        if object["model"] == nil { object["model"] = .string(model) }
        let prompt = Int(object["usage"]?["prompt_tokens"]?.intValue ?? 0)
        return (object, TokenUsage(prompt: prompt))
    }

    /// `GET {base}/models`.
    public func modelsRequest(provider: ProviderConfig) -> UpstreamRequest {
        ProviderHTTP.request(
            method: "GET", url: provider.baseURL + "/models", provider: provider,
            auth: Self.auth(provider), body: nil)
    }

    /// `data[].id`.
    public func modelNames(_ body: [UInt8]) throws(UpstreamFailure) -> [String] {
        let object = try JSONPayload.object(body, what: "model list")
        guard let models = object["data"]?.arrayValue else {
            throw UpstreamFailure(.invalidResponse, message: "the model list has no 'data' array")
        }
        return models.compactMap { $0["id"]?.stringValue }
    }
}
