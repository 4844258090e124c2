import CCurl

/// Why a transfer failed. Messages carry curl's explanation and the method and URL (query string and credentials
/// removed, since URLs may carry API keys), so a log line says what to fix.
public enum HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// DNS resolution or the TCP connect failed (nothing was sent).
    case connectFailed(String)
    /// A connect, first-byte or total timeout expired.
    case timedOut(String)
    /// The TLS handshake or certificate verification failed.
    case tls(String)
    /// `HTTPClientTask.cancel()` or `HTTPClient.close()` stopped the transfer.
    case cancelled
    /// The server broke HTTP: malformed or empty reply, connection cut mid-response, HTTP/2 stream error.
    case protocolError(String)
    /// Anything else, with the `CURLcode` (or `CURLMcode`) value.
    case other(code: Int, message: String)

    public var description: String {
        switch self {
        case .connectFailed(let message): "connect failed: \(message)"
        case .timedOut(let message): "timed out: \(message)"
        case .tls(let message): "TLS error: \(message)"
        case .cancelled: "cancelled"
        case .protocolError(let message): "protocol error: \(message)"
        case .other(let code, let message): "HTTP client error \(code): \(message)"
        }
    }

    /// Maps a transfer's `CURLcode`. `detail` is the transfer's `CURLOPT_ERRORBUFFER`, more specific than
    /// `curl_easy_strerror` when set.
    init(code: CURLcode, detail: String, method: String, url: String) {
        let reason = detail.isEmpty ? CurlLibrary.describe(code) : detail
        let message = "\(reason) (\(method) \(redactedURL(url)))"
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .connectFailed(message)
        case CURLE_OPERATION_TIMEDOUT:
            self = .timedOut(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            self = .tls(message)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP3:
            self = .protocolError(message)
        default:
            self = .other(code: Int(code.rawValue), message: message)
        }
    }

    /// Maps a multi-interface failure (out of memory, a handle curl refused).
    init(multiCode code: CURLMcode, operation: String, url: String) {
        let reason = CurlLibrary.describe(code)
        self = .other(code: Int(code.rawValue), message: "\(operation): \(reason) (\(redactedURL(url)))")
    }
}

/// The URL without its query string, fragment and `user:password@`: good enough to find the endpoint in a log,
/// never a key (Gemini-style `?key=`) or a password.
func redactedURL(_ url: String) -> String {
    var base = Substring(url)
    if let cut = base.firstIndex(where: { $0 == "?" || $0 == "#" }) { base = base[..<cut] }
    // No Foundation here: find "://" by hand.
    guard let colon = base.indices.first(where: { base[$0...].hasPrefix("://") }) else { return String(base) }
    let authorityStart = base.index(colon, offsetBy: 3)
    let authorityEnd = base[authorityStart...].firstIndex(of: "/") ?? base.endIndex
    guard let at = base[authorityStart..<authorityEnd].lastIndex(of: "@") else { return String(base) }
    return String(base[..<authorityStart]) + String(base[base.index(after: at)...])
}
