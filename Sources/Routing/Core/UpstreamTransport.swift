/// One HTTP request to a provider, built by an adapter.
public struct UpstreamRequest: Sendable {
    public var method: String
    public var url: String
    /// Headers including authentication. Never log these.
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(method: String = "POST", url: String, headers: [(String, String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, ASCII case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Why a transport could not deliver a complete response.
public enum TransportFailure: Error, Sendable, Equatable {
    case timedOut(String)
    case connectFailed(String)
    /// The connection broke or the server broke HTTP after the request was sent.
    case broken(String)
    case cancelled

    /// The same failure in the router's terms.
    public var upstreamFailure: UpstreamFailure {
        switch self {
        case .timedOut(let message): UpstreamFailure(.timeout, message: message)
        case .connectFailed(let message): UpstreamFailure(.connectionFailed, message: message)
        case .broken(let message): UpstreamFailure(.connectionFailed, message: message)
        case .cancelled: UpstreamFailure(.cancelled, message: "cancelled")
        }
    }
}

/// A transfer in progress; `cancel` aborts it (its completion then reports `.cancelled`, or nothing if it already
/// completed).
public protocol UpstreamCall: AnyObject {
    func cancel()
}

/// How the router reaches providers. The gateway implements it with libcurl on the event loop; tests use scripted
/// fakes. All callbacks run on the caller's thread (the loop), in order: `onHead` once, `onBody` zero or more times,
/// `onComplete` exactly once and last. Callbacks never run inside `send`.
public protocol UpstreamTransport: AnyObject {
    func send(
        _ request: UpstreamRequest, timeouts: AttemptTimeouts,
        onHead: @escaping (_ status: Int, _ headers: [(String, String)]) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (TransportFailure?) -> Void
    ) -> UpstreamCall
}
