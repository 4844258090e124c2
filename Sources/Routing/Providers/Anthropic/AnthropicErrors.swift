import JSON

/// Anthropic error bodies: `{"type":"error","error":{"type","message"}}`. The error type is more precise than the
/// status (529 and a mid-stream `overloaded_error` mean the same thing), so it decides when present.
enum AnthropicErrors {
    /// `status` is `nil` for an `error` event inside a 200 stream.
    static func failure(status: Int?, headers: [(String, String)], error: ErrorBody) -> UpstreamFailure {
        let kind: FailureKind
        switch error.type {
        case "rate_limit_error"?:
            kind = .rateLimited
        case "overloaded_error"?:
            kind = .overloaded
        case "invalid_request_error"?:
            let overflow = error.mentions(["prompt is too long", "too many tokens", "exceed context limit"])
            kind = overflow ? .contextTooLong : .badRequest
        case "authentication_error"?, "permission_error"?, "billing_error"?:
            kind = .auth
        case "not_found_error"?:
            kind = .notFound
        case "request_too_large"?:
            kind = .contextTooLong
        case "timeout_error"?:
            kind = .timeout
        case "api_error"?:
            kind = .serverError
        default:
            kind = status.map(FailureKind.forHTTPStatus) ?? .serverError
        }
        return .provider(kind, status: status, message: error.message, headers: headers)
    }
}
