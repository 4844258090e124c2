import JSON

/// The small set of ways an upstream attempt fails that the fallback executor reasons about. Provider adapters map
/// their provider's statuses and error bodies onto these; transports map socket-level failures.
public enum FailureKind: String, Sendable, CaseIterable {
    /// 429 or a provider's rate/quota-per-minute error; `UpstreamFailure.retryAfterSeconds` when the provider said.
    case rateLimited = "rate_limited"
    /// The provider is temporarily out of capacity (Anthropic 529 `overloaded_error`, 503).
    case overloaded
    /// Any other 5xx.
    case serverError = "server_error"
    /// Connect, first-byte or total timeout of the attempt.
    case timeout
    /// DNS, TCP or TLS failure, or the connection broke before a complete response.
    case connectionFailed = "connection_failed"
    /// 401/403: the provider key is missing, wrong or not allowed this model.
    case auth
    /// 400/422 that would fail the same way anywhere (malformed messages, bad parameter values).
    case badRequest = "bad_request"
    /// The prompt plus requested output exceed the model's context window.
    case contextTooLong = "context_too_long"
    /// The provider refused the content (moderation, safety block).
    case contentFiltered = "content_filtered"
    /// 404: unknown model or endpoint at this provider.
    case notFound = "not_found"
    /// A 2xx answer the adapter could not decode (invalid JSON, missing fields, a stream cut short).
    case invalidResponse = "invalid_response"
    /// The caller went away; never retried and never counted against the provider's health.
    case cancelled

    /// Whether the fallback executor moves on to the next candidate after this failure. A request error that would
    /// fail everywhere (bad request) is returned at once; auth and not-found are specific to this provider/model,
    /// so another candidate may well succeed.
    public var movesOn: Bool {
        switch self {
        case .badRequest, .cancelled: false
        default: true
        }
    }

    /// Whether this failure says something about the provider's health (feeds error rate and the circuit breaker).
    public var countsAgainstHealth: Bool {
        switch self {
        case .rateLimited, .overloaded, .serverError, .timeout, .connectionFailed, .invalidResponse: true
        case .auth, .badRequest, .contextTooLong, .contentFiltered, .notFound, .cancelled: false
        }
    }

    /// The HTTP status used when this is the final failure returned to our client.
    public var httpStatus: Int {
        switch self {
        case .rateLimited: 429
        case .overloaded: 503
        case .serverError, .connectionFailed, .invalidResponse: 502
        case .timeout: 504
        case .auth: 502  // the *provider* refused our configured key: a gateway problem, not the caller's
        case .badRequest, .contextTooLong, .contentFiltered: 400
        case .notFound: 404
        case .cancelled: 499
        }
    }
}

/// One failed upstream attempt, as the router sees it.
public struct UpstreamFailure: Error, Sendable, CustomStringConvertible {
    public var kind: FailureKind
    /// The provider's HTTP status, when there was a response.
    public var status: Int?
    /// What went wrong, in words a user can act on (the provider's own message when it sent one).
    public var message: String
    /// Seconds the provider asked us to wait (`Retry-After`, `retry-after-ms`, or a body field).
    public var retryAfterSeconds: Double?

    public init(_ kind: FailureKind, status: Int? = nil, message: String, retryAfterSeconds: Double? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        status.map { "\(kind.rawValue) (HTTP \($0)): \(message)" } ?? "\(kind.rawValue): \(message)"
    }
}
