import JSON

/// OpenAI error bodies: `{"error":{"message","type","param","code"}}`. The status gives the kind; `code` and
/// `type` refine it where the status is ambiguous (a 400 can be a context overflow or a moderation refusal).
enum OpenAIErrors {
    /// `status` is `nil` for an error sent inside a 200 (a stream `error` chunk).
    static func failure(status: Int?, headers: [(String, String)], error: ErrorBody) -> UpstreamFailure {
        let code = error.code ?? error.type
        var message = error.message
        var kind: FailureKind
        switch code {
        case "context_length_exceeded", "string_above_max_length":
            kind = .contextTooLong
        case "content_filter", "content_policy_violation":
            kind = .contentFiltered
        case "insufficient_quota":
            kind = .rateLimited
            // Waiting will not help with an exhausted quota; say so, since the kind alone reads like a blip.
            if !message.lowercased().contains("quota") { message = "quota exhausted: " + message }
        case "invalid_api_key":
            kind = .auth
        case "model_not_found":
            kind = .notFound
        case "rate_limit_exceeded":
            kind = .rateLimited
        default:
            if let status {
                kind = FailureKind.forHTTPStatus(status)
            } else if let repeated = error.code.flatMap({ Int($0) }) {
                // Inside a 200 there is no status; compatible servers often repeat it as a numeric `code`.
                kind = FailureKind.forHTTPStatus(repeated)
            } else {
                kind = error.type == "invalid_request_error" ? .badRequest : .serverError
            }
        }
        if kind == .badRequest, error.mentions(ErrorBody.contextOverflowPhrases) { kind = .contextTooLong }
        return .provider(kind, status: status, message: message, headers: headers)
    }
}
