import CHTTPParser

/// Incremental HTTP/1.x request parser over http-parser 2.9 (Debian's `libhttp-parser`): builds `HTTPRequest`s
/// from bytes, reports each step to `onEvent` so the owner enforces limits as bytes arrive, and pauses after every
/// complete request so the owner answers one request at a time.
///
/// The C callbacks are trampolines (DESIGN.md §3): non-capturing closures that recover this object from
/// `parser->data` with `from(_:)` and forward to a method. `data` is unretained: C only calls back from inside
/// `http_parser_execute`, which `feed` calls while `self` is alive.
final class HTTPRequestParser {
    /// The parser reports straight in the state machine's vocabulary: `.messageBegin`, `.headerBytes` (the
    /// request line's and each field's text plus 4 for `: ` and CRLF, an approximation of the head's size that
    /// ignores optional whitespace), `.headersComplete`, `.body` and `.messageComplete`.
    typealias Event = HTTPConnectionStateMachine.Event

    enum Outcome: Equatable {
        /// Every byte was consumed; the request (if one started) needs more.
        case needMore
        /// A request is complete (`takeRequest()`); the first `consumed` bytes were its last; the rest start the next.
        case requestComplete(consumed: Int)
        /// `onEvent` returned false: the owner is rejecting this request; feed nothing more.
        case stopped
        /// The bytes are not acceptable HTTP; feed nothing more.
        case failed(ParseFailure)
    }

    /// Receives every event; returning false stops the parser.
    var onEvent: (Event) -> Bool = { _ in true }
    /// True when the last request's version was below 1.1 (no chunked responses, close-delimited streams).
    private(set) var isHTTP10 = false

    private let parser: UnsafeMutablePointer<http_parser>
    private var method = ""
    private var target: [UInt8] = []
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var field: [UInt8] = []
    private var value: [UInt8] = []
    private var inHead = true
    private var inValue = false

    init() {
        parser = .allocate(capacity: 1)
        http_parser_init(parser, HTTP_REQUEST)
        sy_http_set_data(parser, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { parser.deallocate() }

    /// Parses `bytes`; stops after a complete request. Never pass an empty buffer (http-parser reads that as EOF).
    func feed(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .needMore }
        let consumed = withUnsafePointer(to: Self.settings) { settings in
            http_parser_execute(parser, settings, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        let error = sy_http_errno(parser)
        switch error {
        case HPE_OK:
            // All consumed, or http-parser left early after an upgrade request; the owner closes after that one.
            return consumed == bytes.count ? .needMore : .stopped
        case HPE_PAUSED:
            http_parser_pause(parser, 0)
            return .requestComplete(consumed: consumed)
        case HPE_HEADER_OVERFLOW:
            return .failed(.headTooLarge)
        case HPE_INVALID_TRANSFER_ENCODING:
            return .failed(.unsupportedTransferEncoding)
        default:
            let stoppedByCallback = HPE_CB_message_begin.rawValue...HPE_CB_chunk_complete.rawValue
            if stoppedByCallback.contains(error.rawValue) { return .stopped }
            return .failed(.malformed(String(cString: http_errno_description(error))))
        }
    }

    /// The request completed by the last `.requestComplete`.
    func takeRequest() -> HTTPRequest {
        let request = HTTPRequest(
            method: method, target: String(decoding: target, as: UTF8.self),
            headers: headers, body: body)
        headers = HTTPHeaders()
        body = []
        return request
    }

    // MARK: Callbacks

    private func messageBegin() -> Int32 {
        target.removeAll(keepingCapacity: true)
        headers = HTTPHeaders()
        body = []
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        inHead = true
        inValue = false
        return onEvent(.messageBegin) ? 0 : 1
    }

    private func url(_ at: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
        target.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length))
        return onEvent(.headerBytes(length)) ? 0 : 1
    }

    private func headerField(_ at: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
        // A field callback after a value callback starts the next field; otherwise it continues a split name.
        let starts = inValue || field.isEmpty
        if inValue { flushField() }
        inValue = false
        // Trailers of a chunked body arrive through the same callbacks: counted, not kept.
        if inHead { field.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length)) }
        return onEvent(.headerBytes(length + (starts ? 4 : 0))) ? 0 : 1
    }

    private func headerValue(_ at: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
        inValue = true  // an empty value still gets one zero-length callback
        if inHead { value.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length)) }
        return onEvent(.headerBytes(length)) ? 0 : 1
    }

    private func flushField() {
        guard inHead, inValue || !field.isEmpty else { return }
        headers.add(String(decoding: field, as: UTF8.self), String(decoding: value, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
    }

    private func headersComplete() -> Int32 {
        guard inHead else { return 0 }  // end of trailers
        flushField()
        inHead = false
        method = String(cString: http_method_str(http_method(rawValue: sy_http_method(parser))))
        let major = sy_http_major(parser), minor = sy_http_minor(parser)
        isHTTP10 = major < 1 || (major == 1 && minor == 0)
        let head = requestHead()
        guard onEvent(.headersComplete(head)) else { return -1 }  // 1 and 2 mean "skip body", not "stop"
        if let length = head.contentLength, length > 0 { body.reserveCapacity(Int(clamping: length)) }
        return 0
    }

    private func requestHead() -> RequestHead {
        let flags = sy_http_flags(parser)
        var head = RequestHead()
        head.chunked = flags & F_CHUNKED.rawValue != 0
        head.contentLength = flags & F_CONTENTLENGTH.rawValue != 0 ? parser.pointee.content_length : nil
        // After an upgrade request the rest of the bytes would be another protocol: answer it and close.
        head.keepAlive = sy_http_should_keep_alive(parser) != 0 && sy_http_upgrade(parser) == 0
        for (name, value) in headers {
            if name.equalsIgnoringASCIICase("transfer-encoding") {
                head.unsupportedTransferEncoding = head.unsupportedTransferEncoding || !value.isChunkedCoding
            } else if !isHTTP10 && name.equalsIgnoringASCIICase("expect") {
                head.expectsContinue = value.equalsIgnoringASCIICase("100-continue")
            }
        }
        return head
    }

    private func bodyData(_ at: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
        body.append(contentsOf: UnsafeRawBufferPointer(start: at, count: length))
        return onEvent(.body(length)) ? 0 : 1
    }

    private func messageComplete() -> Int32 {
        // Pausing makes http_parser_execute return right after this request (HPE_PAUSED), leaving pipelined
        // bytes unparsed until the owner has answered.
        http_parser_pause(parser, 1)
        return onEvent(.messageComplete) ? 0 : 1
    }

    // MARK: Trampolines

    private static func from(_ parser: UnsafeMutablePointer<http_parser>?) -> HTTPRequestParser {
        Unmanaged<HTTPRequestParser>.fromOpaque(sy_http_get_data(parser!)!).takeUnretainedValue()
    }

    private static let settings: http_parser_settings = {
        var settings = http_parser_settings()
        settings.on_message_begin = { from($0).messageBegin() }
        settings.on_url = { from($0).url($1, $2) }
        settings.on_header_field = { from($0).headerField($1, $2) }
        settings.on_header_value = { from($0).headerValue($1, $2) }
        settings.on_headers_complete = { from($0).headersComplete() }
        settings.on_body = { from($0).bodyData($1, $2) }
        settings.on_message_complete = { from($0).messageComplete() }
        return settings
    }()
}

extension String {
    /// True for a Transfer-Encoding value that is exactly `chunked` (any case, surrounding spaces allowed).
    fileprivate var isChunkedCoding: Bool {
        var trimmed = Substring(self)
        while trimmed.first == " " || trimmed.first == "\t" { trimmed.removeFirst() }
        while trimmed.last == " " || trimmed.last == "\t" { trimmed.removeLast() }
        return String(trimmed).equalsIgnoringASCIICase("chunked")
    }
}
