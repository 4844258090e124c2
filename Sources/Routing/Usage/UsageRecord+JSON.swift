import JSON

extension UsageRecord {
    /// The row as `GET /v1/generation` and the MCP tools show it.
    public var json: JSON {
        var object: JSONObject = [
            "id": .string(id), "created_at": .double(createdAt), "face": .string(face),
            "requested_model": .string(requestedModel),
            "model": resolvedModel.map { .string($0.description) } ?? .null,
            "provider": resolvedModel.map { .string($0.provider) } ?? .null,
            "status": .string(status), "http_status": .int(Int64(httpStatus)),
            "streamed": .bool(stream),
            "tokens_prompt": .int(Int64(usage.prompt)), "tokens_completion": .int(Int64(usage.completion)),
            "tokens_cached": .int(Int64(usage.cached)), "tokens_cache_write": .int(Int64(usage.cacheWrite)),
            "tokens_reasoning": .int(Int64(usage.reasoning)),
            "total_cost": .double(cost),
            "latency_ms": .double((latencyMilliseconds * 100).rounded() / 100),
            "ttft_ms": timeToFirstTokenMilliseconds.map { .double(($0 * 100).rounded() / 100) } ?? .null,
            "tags": .array(tags.map(JSON.string)),
            "attempts": .array(attempts.map(\.json)),
        ]
        object["key_id"] = keyID.map(JSON.string) ?? .null
        object["error"] = error.map(JSON.string) ?? .null
        return .object(object)
    }
}
