import CCurl
import Loop

/// One request in flight: its curl easy handle, its parsed response head and the body bytes not yet delivered.
///
/// Lifetime: `HTTPClient.transfers` owns it while it is in the multi handle. In addition the easy handle's
/// `CURLOPT_WRITEDATA`/`CURLOPT_HEADERDATA` hold a reference taken with `passRetained` in `configure()` and
/// released exactly once in `releaseCurl()` after `curl_easy_cleanup`, so the pointer curl calls back with can never
/// dangle (the prototype's crash). `CURLOPT_PRIVATE` holds only the integer `id`.
final class Transfer {
    let id: Int
    let request: HTTPClientRequest
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var retainedForCurl: Unmanaged<Transfer>?

    private(set) var onHead: ((HTTPClientResponseHead) -> Void)?
    private(set) var onBody: (([UInt8]) -> Void)?
    private(set) var onComplete: ((Result<Void, HTTPClientError>) -> Void)?

    // Response state, written by curl callbacks (pure bookkeeping, no user code) and read by `HTTPClient.deliver`.
    private var status = 0
    private var httpVersion = ""
    private var headers: [(String, String)] = []
    private(set) var headComplete = false
    private(set) var headDelivered = false
    var pendingBody: [UInt8] = []
    /// True while queued in `HTTPClient.dirty` (set by the write/header callbacks, cleared when the client delivers
    /// after the curl call returned), so a transfer is queued once per curl call.
    var isDirty = false
    /// The client outlives its transfers: `close()` finishes every transfer before the client can go.
    private unowned let client: HTTPClient
    private var curl: CurlLibrary { client.curl }

    init?(
        id: Int, request: HTTPClientRequest, client: HTTPClient,
        onHead: @escaping (HTTPClientResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (Result<Void, HTTPClientError>) -> Void
    ) {
        guard let easy = client.takeEasyHandle() else { return nil }
        self.id = id
        self.request = request
        self.easy = easy
        self.client = client
        self.onHead = onHead
        self.onBody = onBody
        self.onComplete = onComplete
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        precondition(retainedForCurl == nil, "Transfer freed while curl still referenced it")
    }

    /// Sets every option. Returns the first option curl rejected.
    func configure() -> HTTPClientError? {
        let retained = Unmanaged.passRetained(self)
        retainedForCurl = retained
        let me = retained.toOpaque()
        let client = Unmanaged.passUnretained(self.client).toOpaque()
        var failed: (CURLcode, String)?
        func check(_ code: CURLcode, _ what: String) { if code != CURLE_OK, failed == nil { failed = (code, what) } }

        check(sy_curl_easy_setopt_str(curl.api, easy, CURLOPT_URL, request.url), "CURLOPT_URL")
        // Only HTTP(S): a URL from configuration must not turn into file://, ftp:// or gopher:// access.
        check(sy_curl_easy_setopt_str(curl.api, easy, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        // Signal dispositions are process-wide: without this curl swaps the SIGPIPE handler around its calls and may
        // use SIGALRM for DNS timeouts, both unsafe beside other threads (our SIGPIPE is ignored for good by EventLoop).
        check(sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        check(
            sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_PRIVATE, UnsafeMutableRawPointer(bitPattern: id)),
            "CURLOPT_PRIVATE")
        check(sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        check(
            sy_curl_easy_setopt_write(curl.api, easy) { data, size, count, me in
                Transfer.from(me).received(body: data, size * count)
            },
            "CURLOPT_WRITEFUNCTION")
        check(sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_WRITEDATA, me), "CURLOPT_WRITEDATA")
        check(
            sy_curl_easy_setopt_header(curl.api, easy) { data, size, count, me in
                Transfer.from(me).received(header: data, size * count)
            },
            "CURLOPT_HEADERFUNCTION")
        check(sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_HEADERDATA, me), "CURLOPT_HEADERDATA")
        // Connections outlive transfers in the multi's cache, so socket callbacks go to the client, not to us.
        check(
            sy_curl_easy_setopt_opensocket(curl.api, easy) { client, _, address in
                HTTPClient.from(client).openSocket(address!)
            },
            "CURLOPT_OPENSOCKETFUNCTION")
        check(sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_OPENSOCKETDATA, client), "CURLOPT_OPENSOCKETDATA")
        check(
            sy_curl_easy_setopt_closesocket(curl.api, easy) { client, socket in HTTPClient.from(client).closeSocket(socket)
            },
            "CURLOPT_CLOSESOCKETFUNCTION")
        check(sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_CLOSESOCKETDATA, client), "CURLOPT_CLOSESOCKETDATA")
        check(
            sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)),
            "CURLOPT_HTTP_VERSION")
        // A proxy's "200 Connection established" must not look like the response's status line.
        check(
            sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "CURLOPT_SUPPRESS_CONNECT_HEADERS"
        )
        check(
            sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds),
            "CURLOPT_CONNECTTIMEOUT_MS")
        if let total = request.totalTimeoutMilliseconds {
            check(sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_TIMEOUT_MS, total), "CURLOPT_TIMEOUT_MS")
        }
        // A caller that sets Accept-Encoding itself wants the encoded bytes; otherwise curl offers and decodes all.
        if request.header("Accept-Encoding") == nil {
            check(sy_curl_easy_setopt_str(curl.api, easy, CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        }
        let sendsBody = configureMethodAndBody(check)
        configureHeaders(sendsBody: sendsBody, check)
        guard let (code, what) = failed else { return nil }
        let message = "\(what): \(curl.describe(code)) (\(request.method) \(redactedURL(request.url)))"
        return .other(code: Int(code.rawValue), message: message)
    }

    /// Returns whether a body (possibly empty) is sent.
    private func configureMethodAndBody(_ check: (CURLcode, String) -> Void) -> Bool {
        let method = request.method
        var body = request.body
        if body == nil, method == "POST" || method == "PUT" || method == "PATCH" { body = [] }
        if method == "HEAD" {
            check(sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_NOBODY, 1), "CURLOPT_NOBODY")
        } else if let body {
            // POSTFIELDSIZE first: COPYPOSTFIELDS then copies exactly that many bytes (bodies may contain NULs).
            check(sy_curl_easy_setopt_long(curl.api, easy, CURLOPT_POSTFIELDSIZE, body.count), "CURLOPT_POSTFIELDSIZE")
            var empty: UInt8 = 0
            let code =
                body.isEmpty
                ? sy_curl_easy_setopt_ptr(curl.api, easy, CURLOPT_COPYPOSTFIELDS, &empty)
                : body.withUnsafeBytes {
                    sy_curl_easy_setopt_ptr(
                        curl.api, easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress!))
                }
            check(code, "CURLOPT_COPYPOSTFIELDS")
        }
        // curl picks GET/POST/HEAD from the options above; any other method replaces the request line's verb.
        if method != "GET" && method != "POST" && method != "HEAD" || (method == "GET" && body != nil) {
            check(sy_curl_easy_setopt_str(curl.api, easy, CURLOPT_CUSTOMREQUEST, method), "CURLOPT_CUSTOMREQUEST")
        }
        return method != "HEAD" && body != nil
    }

    private func configureHeaders(sendsBody: Bool, _ check: (CURLcode, String) -> Void) {
        // curl sends each line verbatim: a CR or LF inside would smuggle extra headers or a second request.
        let unsafe = request.headers.first { name, value in (name + value).utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }
        }
        if let (name, _) = unsafe { check(CURLE_BAD_FUNCTION_ARGUMENT, "header \(name) contains CR, LF or NUL"); return }
        var lines = request.headers.map { name, value in value.isEmpty ? "\(name);" : "\(name): \(value)" }
        // "Name:" with nothing after removes a header curl would add: no 100-continue round trip, and no
        // form-urlencoded Content-Type that the caller did not ask for.
        lines.append("Expect:")
        if sendsBody, request.header("Content-Type") == nil { lines.append("Content-Type:") }
        for line in lines {
            guard let list = curl.slist_append(headerList, line) else {
                check(CURLE_OUT_OF_MEMORY, "curl_slist_append"); return
            }
            headerList = list
        }
        check(sy_curl_easy_setopt_slist(curl.api, easy, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER")
    }

    /// Frees the easy handle and what it pointed at; call once, after `curl_multi_remove_handle`.
    func releaseCurl() {
        client.recycle(easy)
        curl.slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
        retainedForCurl?.release()
        retainedForCurl = nil
    }

    /// The transfer's `CURLOPT_ERRORBUFFER` text; read before `releaseCurl()`.
    var errorDetail: String { String(cString: errorBuffer) }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> Transfer {
        Unmanaged<Transfer>.fromOpaque(pointer!).takeUnretainedValue()
    }

    // MARK: - curl callbacks: bookkeeping only, never user code and never a curl call.

    private func received(body data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        if let data, count > 0 { pendingBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count)) }
        markDirty()
        return count
    }

    private func received(header data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return count }
        var line = UnsafeRawBufferPointer(start: data, count: count)[...]
        while let last = line.last, last == 10 || last == 13 { line = line.dropLast() }
        parseHeaderLine(line)
        return count
    }

    /// curl passes the status line, each header line and the blank line after them, for every response of the
    /// exchange (1xx interim responses, then the final one), and afterwards any chunked trailers.
    private func parseHeaderLine(_ line: Slice<UnsafeRawBufferPointer>) {
        if line.starts(with: "HTTP/".utf8) {
            guard !headDelivered else { return }
            let parts = String(decoding: line, as: UTF8.self).split(separator: " ", maxSplits: 2)
            httpVersion = parts.first.map(String.init) ?? ""
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
            headComplete = false
        } else if line.isEmpty {
            // The final head ends here; an interim 1xx head is followed by another status line.
            if status >= 200, !headComplete {
                headComplete = true
                markDirty()
            }
        } else if headComplete {
            return  // trailers: not part of the head already reported
        } else if let first = line.first, first == 32 || first == 9, !headers.isEmpty {
            // Obsolete line folding (RFC 9112 §5.2): the value continues.
            headers[headers.count - 1].1 += " " + trimmed(line)
        } else if let colon = line.firstIndex(of: 58) {
            headers.append((String(decoding: line[..<colon], as: UTF8.self), trimmed(line[(colon + 1)...])))
        }
    }

    private func markDirty() {
        guard !isDirty else { return }
        isDirty = true
        client.dirty.append(self)
    }

    private func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var value = bytes
        while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
        while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
        return String(decoding: value, as: UTF8.self)
    }

    // MARK: - Delivery (called by HTTPClient outside curl calls).

    /// When curl finished without a parsed head (e.g. an HTTP/0.9-style reply), take what curl knows.
    func fillHeadFromCurlIfMissing() {
        guard !headComplete else { return }
        var code = 0
        if sy_curl_easy_getinfo_long(curl.api, easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK { status = code }
        headComplete = true
    }

    /// Hands out the head once; the caller delivers it.
    func takeHead() -> HTTPClientResponseHead? {
        guard !headDelivered, headComplete || !pendingBody.isEmpty else { return nil }
        headDelivered = true
        return HTTPClientResponseHead(status: status, headers: headers, httpVersion: httpVersion)
    }

    /// Hands out the body bytes collected since the last delivery.
    func takeBody() -> [UInt8]? {
        guard headDelivered, !pendingBody.isEmpty else { return nil }
        defer { pendingBody = [] }
        return pendingBody
    }

    /// Drops the user's callbacks (breaking any cycle through them) and returns the completion to call.
    func takeCompletion() -> ((Result<Void, HTTPClientError>) -> Void)? {
        defer { onHead = nil; onBody = nil; onComplete = nil }
        return onComplete
    }
}
