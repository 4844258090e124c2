import FoundationEssentials
import JSON
import Patterns

// `GET /v1/models` in OpenAI's list shape, with the extra fields OpenRouter added (context length, modalities,
// per-token prices, supported parameters), which tools such as Cline and LibreChat read when present.

extension Catalog {
    /// `{"object": "list", "data": [model objects]}` for `models`, in the order given.
    public func openAIListObject(models: [ModelInfo]) -> JSON {
        ["object": "list", "data": .array(models.map(openAIModelObject))]
    }

    /// One model in the OpenAI shape plus OpenRouter's fields. `pricing` is USD per token written as decimal
    /// strings, as OpenRouter does; it is left out when the price is unknown, since zeros would read as free.
    public func openAIModelObject(_ info: ModelInfo) -> JSON {
        let contextLength: JSON = info.contextLength.map { .int(Int64($0)) } ?? .null
        var object: JSONObject = [
            "id": .string(info.id.description),
            "object": "model",
            "created": .int(createdUnixTime),
            "owned_by": .string(info.id.provider),
            "name": .string(info.displayName ?? info.id.description),
            "context_length": contextLength,
            "architecture": [
                "input_modalities": .array(info.inputModalities.map(JSON.string)),
                "output_modalities": .array(info.outputModalities.map(JSON.string)),
                "modality": .string(Self.modality(info)),
            ],
            "top_provider": [
                "context_length": contextLength,
                "max_completion_tokens": info.maxOutputTokens.map { .int(Int64($0)) } ?? .null,
                "is_moderated": false,
            ],
            "supported_parameters": .array(Self.supportedParameters(info).map(JSON.string)),
            "is_active": .bool(info.isActive),
        ]
        if info.isPricingKnown {
            var pricing: JSONObject = [
                "prompt": .string(Self.perToken(info.pricing.input)),
                "completion": .string(Self.perToken(info.pricing.output)),
            ]
            if let cached = info.pricing.cachedInput { pricing["input_cache_read"] = .string(Self.perToken(cached)) }
            if let write = info.pricing.cacheWrite { pricing["input_cache_write"] = .string(Self.perToken(write)) }
            object["pricing"] = .object(pricing)
        }
        return .object(object)
    }

    /// OpenRouter's `text+image->text`.
    static func modality(_ info: ModelInfo) -> String {
        "\(info.inputModalities.joined(separator: "+"))->\(info.outputModalities.joined(separator: "+"))"
    }

    /// The request parameters a client may send, derived from the capabilities (OpenRouter's names).
    static func supportedParameters(_ info: ModelInfo) -> [String] {
        if info.outputModalities.contains("embeddings") { return ["dimensions", "encoding_format"] }
        var parameters = ["max_tokens"]
        // OpenAI's reasoning models (o-series, gpt-5) reject sampling parameters and `stop`.
        if !(info.supportsReasoning && info.usesMaxCompletionTokens) {
            parameters += ["temperature", "top_p", "stop"]
        }
        if info.supportsTools { parameters += ["tools", "tool_choice"] }
        if info.supportsJSONSchema { parameters += ["response_format", "structured_outputs"] }
        if info.supportsReasoning { parameters += ["reasoning", "include_reasoning"] }
        return parameters
    }

    /// USD per million tokens as USD per token in plain decimal notation (`2.5` → `"0.0000025"`), never
    /// exponent notation, which some clients cannot parse.
    static func perToken(_ perMillion: Double) -> String {
        // Twelve decimals hold a price of 0.000001 USD per million tokens exactly and round away the binary noise
        // of the division.
        DecimalText.format(perMillion / 1_000_000, decimals: 12)
    }
}
