import JSON

/// A request the router could not serve, rendered in OpenAI's error shape with the right HTTP status (or as a
/// tool error on the MCP face). Carries every attempt so the client sees why each candidate failed.
public struct RoutingError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    /// OpenAI's `error.type`: `invalid_request_error`, `rate_limit_error`, `upstream_error`, …
    public var type: String
    /// A machine-readable code (`model_not_found`, `all_candidates_failed`, a failure kind, …).
    public var code: String
    public var message: String
    public var attempts: [AttemptRecord]
    /// Seconds the client should wait before retrying (sent as `Retry-After`).
    public var retryAfterSeconds: Double?
    /// The request field at fault, when there is one.
    public var parameter: String?
    /// The usage row this failure was recorded under (`GET /v1/generation?id=`), once the router recorded it.
    public var generationID: String?

    public init(
        status: Int, type: String, code: String, message: String, attempts: [AttemptRecord] = [],
        retryAfterSeconds: Double? = nil, parameter: String? = nil
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.attempts = attempts
        self.retryAfterSeconds = retryAfterSeconds
        self.parameter = parameter
    }

    /// A problem with the request itself (400).
    public static func invalidRequest(_ message: String, parameter: String? = nil, code: String = "invalid_request")
        -> RoutingError
    {
        RoutingError(status: 400, type: "invalid_request_error", code: code, message: message, parameter: parameter)
    }

    /// The final failure after every candidate was tried.
    static func upstream(_ failure: UpstreamFailure, attempts: [AttemptRecord]) -> RoutingError {
        let type: String =
            switch failure.kind {
            case .rateLimited: "rate_limit_error"
            case .badRequest, .contextTooLong: "invalid_request_error"
            case .contentFiltered: "content_filter_error"
            case .notFound: "not_found_error"
            case .timeout: "timeout_error"
            default: "upstream_error"
            }
        let summary =
            attempts.count > 1
            ? "All \(attempts.count) attempts failed; last: \(failure.message). Attempts: "
                + attempts.map { "\($0.model) → \($0.outcome)\($0.status.map { " (HTTP \($0))" } ?? "")" }.joined(
                    separator: "; ")
            : failure.message
        return RoutingError(
            status: failure.kind.httpStatus, type: type, code: failure.kind.rawValue,
            message: summary, attempts: attempts, retryAfterSeconds: failure.retryAfterSeconds)
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// `{"error": {"message", "type", "code", "param", "metadata": {"generation_id", "attempts": […]}}}`.
    public var openAIBody: JSONObject {
        var error: JSONObject = [
            "message": .string(message), "type": .string(type), "code": .string(code),
            "param": parameter.map(JSON.string) ?? .null,
        ]
        var metadata: JSONObject = [:]
        if let generationID { metadata["generation_id"] = .string(generationID) }
        if !attempts.isEmpty { metadata["attempts"] = .array(attempts.map(\.json)) }
        if !metadata.isEmpty { error["metadata"] = .object(metadata) }
        return ["error": .object(error)]
    }
}

extension AttemptRecord {
    /// The attempt as shown to clients and stored in usage rows.
    public var json: JSON {
        var object: JSONObject = [
            "model": .string(model.description), "provider": .string(model.provider),
            "outcome": .string(outcome),
            "latency_ms": .double((latencyMilliseconds * 100).rounded() / 100),
        ]
        if let status { object["status"] = .int(Int64(status)) }
        if let error { object["error"] = .string(error) }
        if let cost { object["cost"] = .double(cost) }
        return .object(object)
    }
}
