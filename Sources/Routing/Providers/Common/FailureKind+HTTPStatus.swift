extension FailureKind {
    /// The failure a bare HTTP status means when the body says nothing more specific. Adapters start here and
    /// refine with their provider's error types.
    static func forHTTPStatus(_ status: Int) -> FailureKind {
        switch status {
        case 429: .rateLimited
        case 408, 504: .timeout
        case 413: .contextTooLong
        case 400, 422: .badRequest
        case 401, 403: .auth
        // 402: the account has no credit (OpenRouter, DeepSeek): specific to this provider, like a refused key.
        case 402: .auth
        case 404: .notFound
        case 503, 529: .overloaded
        case 500...599: .serverError
        // Any other 4xx (405, 409, 415, …) is something wrong with what we sent.
        case 400...499: .badRequest
        // A 1xx/3xx reaching the adapter means the exchange went wrong, not the request.
        default: .invalidResponse
        }
    }
}

extension UpstreamFailure {
    /// A failure for a non-2xx response or an error event, with the provider's message and the wait it asked for
    /// (headers win over a delay named in the body).
    static func provider(
        _ kind: FailureKind, status: Int?, message: String, headers: [(String, String)],
        retryAfter bodyDelay: Double? = nil
    ) -> UpstreamFailure {
        UpstreamFailure(
            kind, status: status, message: message,
            retryAfterSeconds: RetryAfter.seconds(in: headers) ?? bodyDelay)
    }
}
