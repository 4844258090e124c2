import HTTPClient
import Routing

/// The routing core's `UpstreamTransport` on the gateway's shared libcurl client (one multi handle on the loop, so
/// connections to each provider are reused, HTTP/2 where offered).
final class CurlUpstreamTransport: UpstreamTransport {
    private let client: SharedHTTPClient

    init(client: SharedHTTPClient) {
        self.client = client
    }

    func send(
        _ request: UpstreamRequest, timeouts: AttemptTimeouts,
        onHead: @escaping (Int, [(String, String)]) -> Void, onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (TransportFailure?) -> Void
    ) -> UpstreamCall {
        var outbound = HTTPClientRequest(
            method: request.method, url: request.url, headers: request.headers, body: request.body)
        outbound.connectTimeoutMilliseconds = timeouts.connectMilliseconds
        outbound.firstByteTimeoutMilliseconds = timeouts.firstByteMilliseconds
        outbound.totalTimeoutMilliseconds = timeouts.totalMilliseconds
        let call = CurlUpstreamCall()
        let http: HTTPClient
        do {
            http = try client.client()
        } catch {
            call.failLater = { onComplete(.connectFailed("\(error)")) }
            client.loop.execute { call.failLater?() }
            return call
        }
        call.task = http.execute(
            outbound,
            onHead: { head in onHead(head.status, head.headers) },
            onBody: onBody,
            onComplete: { result in
                switch result {
                case .success: onComplete(nil)
                case .failure(let error): onComplete(Self.transportFailure(error))
                }
            })
        return call
    }

    static func transportFailure(_ error: HTTPClientError) -> TransportFailure {
        switch error {
        case .connectFailed(let message), .tls(let message): .connectFailed(message)
        case .timedOut(let message): .timedOut(message)
        case .cancelled: .cancelled
        case .protocolError(let message): .broken(message)
        case .other(_, let message): .broken(message)
        }
    }
}

/// One transfer; `cancel` aborts it (libcurl then reports `.cancelled`).
final class CurlUpstreamCall: UpstreamCall {
    var task: HTTPClientTask?
    var failLater: (() -> Void)?

    func cancel() {
        task?.cancel()
        failLater = nil
    }
}
