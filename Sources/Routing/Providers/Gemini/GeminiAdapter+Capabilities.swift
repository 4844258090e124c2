import JSON

// Embeddings (batchEmbedContents) and the model list.
extension GeminiAdapter {
    /// `batchEmbedContents` takes at most 100 requests ("BatchEmbedContentsRequest.requests: at most 100 requests
    /// can be in one batch", 400 INVALID_ARGUMENT); the router sends longer lists in several batches.
    public var maxInputsPerRequest: Int? { 100 }

    /// `POST {base}/models/{model}:batchEmbedContents`, one request per input string. OpenAI's `dimensions` →
    /// `outputDimensionality`. Token-array inputs cannot be expressed: Gemini embeds text only.
    public func embeddingsRequest(
        _ body: JSONObject, model: String,
        provider: ProviderConfig
    ) throws(UpstreamFailure) -> UpstreamRequest {
        var inputs: [String] = []
        switch body["input"] {
        case .string(let text)?:
            inputs = [text]
        case .array(let items)?:
            for item in items {
                guard let text = item.stringValue else {
                    throw UpstreamFailure(
                        .badRequest,
                        message: "Gemini embeds text only: 'input' must be a string or an array of strings")
                }
                inputs.append(text)
            }
        default:
            throw UpstreamFailure(.badRequest, message: "'input' must be a string or an array of strings")
        }
        let modelName = model.hasPrefix("models/") ? model : "models/" + model
        let requests: [JSON] = inputs.map { text in
            var request: JSONObject = ["model": .string(modelName), "content": ["parts": [["text": .string(text)]]]]
            if let dimensions = body["dimensions"], !dimensions.isNull { request["outputDimensionality"] = dimensions }
            return .object(request)
        }
        return ProviderHTTP.request(
            url: Self.modelURL(provider, model) + ":batchEmbedContents", provider: provider,
            auth: Self.auth(provider), body: ["requests": .array(requests)])
    }

    /// `{"embeddings":[{"values":[…]}]}` → the OpenAI list. Embeddings are always floats: OpenAI's SDKs decode
    /// base64 only when they receive a string, so a float list satisfies `encoding_format: base64` clients too.
    /// Gemini reports no token count for embeddings unless `usageMetadata` is present; usage is then zero.
    public func embeddingsResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> (JSONObject, TokenUsage) {
        let object = try JSONPayload.object(body, what: "Gemini embeddings response")
        guard let embeddings = object["embeddings"]?.arrayValue else {
            throw UpstreamFailure(.invalidResponse, message: "the Gemini embeddings response has no 'embeddings' array")
        }
        var data: [JSON] = []
        data.reserveCapacity(embeddings.count)
        for (index, embedding) in embeddings.enumerated() {
            guard let values = embedding["values"], values.arrayValue != nil else {
                throw UpstreamFailure(.invalidResponse, message: "Gemini embedding \(index) has no 'values'")
            }
            data.append(["object": "embedding", "index": .int(Int64(index)), "embedding": values])
        }
        let prompt = Int(object["usageMetadata"]?["promptTokenCount"]?.intValue ?? 0)
        let usage = TokenUsage(prompt: prompt)
        let list: JSONObject = [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .int(Int64(prompt)), "total_tokens": .int(Int64(prompt))],
        ]
        return (list, usage)
    }

    /// `GET {base}/models?pageSize=1000` (the list is paged; 1000 is the largest page).
    public func modelsRequest(provider: ProviderConfig) -> UpstreamRequest {
        ProviderHTTP.request(
            method: "GET", url: provider.baseURL + "/models?pageSize=1000", provider: provider,
            auth: Self.auth(provider), body: nil)
    }

    /// `models[].name` without its `models/` prefix.
    public func modelNames(_ body: [UInt8]) throws(UpstreamFailure) -> [String] {
        let object = try JSONPayload.object(body, what: "Gemini model list")
        // Proto3 JSON leaves out empty repeated fields: no `models` member is an empty list.
        guard let models = object["models"]?.arrayValue ?? (object["models"] == nil ? [] : nil) else {
            throw UpstreamFailure(.invalidResponse, message: "the Gemini model list's 'models' is not an array")
        }
        return models.compactMap { model in
            model["name"]?.stringValue.map { $0.hasPrefix("models/") ? String($0.dropFirst(7)) : $0 }
        }
    }
}
