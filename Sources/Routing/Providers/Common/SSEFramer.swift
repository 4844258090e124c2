/// One server-sent event as a provider stream decoder needs it: the `event:` name (`nil` when the event had
/// none) and the `data:` lines joined with LF.
struct SSEFrame: Equatable, Sendable {
    var event: String?
    var data: [UInt8]

    init(event: String? = nil, data: [UInt8]) {
        self.event = event
        self.data = data
    }

    /// The data as text (bytes are only decoded once a whole event is in, so a split UTF-8 sequence is whole here).
    var text: String { String(decoding: data, as: UTF8.self) }
}

/// An incremental `text/event-stream` framer for provider responses, following WHATWG HTML §9.2.6 ("Interpreting
/// an event stream"): lines end in CRLF, LF or CR (a chunk may end between the CR and the LF); a blank line
/// dispatches the event; a line starting with `:` is a comment (servers send them as keep-alives); one space after
/// the field's colon is dropped; `data` lines are joined with LF; an event without `data` is not dispatched; `id`
/// and `retry` are ignored because provider streams are never resumed.
///
/// Unlike a browser, ``finish()`` dispatches a last event that lacks its closing blank line: some
/// OpenAI-compatible servers end the body right after `data: [DONE]\n`, and dropping that would turn a complete
/// answer into a cut stream.
struct SSEFramer: Sendable {
    /// The largest line or event accepted; more means a broken or hostile upstream.
    let maxEventBytes: Int

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    /// The previous chunk ended with CR: a LF at the start of the next one belongs to the same line break.
    private var pendingCR = false
    private var atStreamStart = true

    private static let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D, colon: UInt8 = 0x3A, space: UInt8 = 0x20

    init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Consumes the next bytes, split anywhere, and returns the events they complete. Throws `.invalidResponse`
    /// when a line or event grows past `maxEventBytes`.
    mutating func feed(_ bytes: [UInt8]) throws(UpstreamFailure) -> [SSEFrame] {
        var frames: [SSEFrame] = []
        var position = 0
        if pendingCR, !bytes.isEmpty {
            pendingCR = false
            if bytes[0] == Self.lf { position = 1 }
        }
        var lineStart = position
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == Self.lf || byte == Self.cr else {
                position += 1
                continue
            }
            try appendToLine(bytes[lineStart..<position])
            try endLine(&frames)
            position += 1
            if byte == Self.cr {
                if position == bytes.count {
                    pendingCR = true
                } else if bytes[position] == Self.lf {
                    position += 1
                }
            }
            lineStart = position
        }
        try appendToLine(bytes[lineStart..<bytes.count])
        return frames
    }

    /// Ends the stream: a last line without its line break is taken as a line, and a last event without its blank
    /// line is dispatched.
    mutating func finish() throws(UpstreamFailure) -> [SSEFrame] {
        var frames: [SSEFrame] = []
        if !line.isEmpty { try endLine(&frames) }
        dispatch(&frames)
        return frames
    }

    private mutating func appendToLine(_ bytes: ArraySlice<UInt8>) throws(UpstreamFailure) {
        guard !bytes.isEmpty else { return }
        guard line.count + bytes.count <= maxEventBytes else { throw Self.tooLarge(maxEventBytes) }
        line.append(contentsOf: bytes)
    }

    private mutating func endLine(_ frames: inout [SSEFrame]) throws(UpstreamFailure) {
        defer {
            line.removeAll(keepingCapacity: true)
            atStreamStart = false
        }
        // A UTF-8 byte order mark may precede the first line.
        if atStreamStart, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        if line.isEmpty {
            dispatch(&frames)
            return
        }
        if line[0] == Self.colon { return }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: Self.colon) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        if name.elementsEqual("data".utf8) {
            guard data.count + value.count + 1 <= maxEventBytes else { throw Self.tooLarge(maxEventBytes) }
            data.append(contentsOf: value)
            data.append(Self.lf)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        }
        // Other fields (`id`, `retry`, unknown ones) mean nothing to a one-shot provider stream.
    }

    private mutating func dispatch(_ frames: inout [SSEFrame]) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            event = nil
        }
        guard hasData else { return }
        data.removeLast()  // the LF after the last data line
        frames.append(SSEFrame(event: event.flatMap { $0.isEmpty ? nil : $0 }, data: data))
    }

    private static func tooLarge(_ limit: Int) -> UpstreamFailure {
        UpstreamFailure(.invalidResponse, message: "a stream event from the provider exceeds \(limit) bytes")
    }
}
