import JSON

/// Gemini error bodies: `{"error":{"code","message","status","details"}}` with a canonical gRPC status name
/// (Google's AIP-193), which decides the kind when present. A 429 says how long to wait in a
/// `google.rpc.RetryInfo` detail (`"retryDelay": "12s"`), not in a header.
enum GeminiErrors {
    /// `status` is `nil` for an error inside a 200 stream.
    static func failure(status: Int?, headers: [(String, String)], error: ErrorBody) -> UpstreamFailure {
        let details = error.error?["details"]?.arrayValue ?? []
        let kind: FailureKind
        switch error.status {
        case "RESOURCE_EXHAUSTED"?:
            kind = .rateLimited
        case "UNAVAILABLE"?:
            kind = .overloaded
        case "INTERNAL"?, "UNKNOWN"?, "DATA_LOSS"?:
            kind = .serverError
        case "DEADLINE_EXCEEDED"?:
            kind = .timeout
        case "INVALID_ARGUMENT"?:
            if details.contains(where: { $0["reason"]?.stringValue == "API_KEY_INVALID" }) {
                kind = .auth  // Gemini reports a wrong key as a 400 INVALID_ARGUMENT
            } else if error.mentions(["token count", "tokens allowed", "too many tokens"]), error.mentions(["exceed"]) {
                kind = .contextTooLong
            } else {
                kind = .badRequest
            }
        case "PERMISSION_DENIED"?, "UNAUTHENTICATED"?:
            kind = .auth
        case "FAILED_PRECONDITION"?:
            // "User location is not supported", billing not enabled: this key cannot use the API, another
            // provider may well answer, so it is treated like a refused key rather than a bad request.
            kind = .auth
        case "NOT_FOUND"?:
            kind = .notFound
        default:
            kind = status.map(FailureKind.forHTTPStatus) ?? .serverError
        }
        let delay = details.lazy.compactMap { $0["retryDelay"]?.stringValue.flatMap(RetryAfter.parseDuration) }.first
        return .provider(kind, status: status, message: error.message, headers: headers, retryAfter: delay)
    }
}
