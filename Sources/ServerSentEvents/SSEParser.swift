/// One event of a `text/event-stream`.
public struct SSEEvent: Equatable, Sendable {
    /// The `event:` field, or `nil` when absent (the default type, "message").
    public var type: String?
    /// The `data:` lines, joined with "\n".
    public var data: [UInt8]
    /// The last event ID in effect when the event was dispatched (`id:` persists across events).
    public var id: String?

    public init(type: String? = nil, data: [UInt8], id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }

    /// The data as text.
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// An incremental parser for `text/event-stream`, following WHATWG HTML "Server-sent events" §9.2.6 ("Interpreting
/// an event stream"): lines end in CRLF, LF or CR (a chunk may end between the CR and the LF); a blank line
/// dispatches the event; `:` starts a comment; a field name without a colon has an empty value; one space after
/// the colon is dropped; `data` lines are joined with LF; an `id` containing NUL is ignored; `retry` takes digits
/// only; an event without `data` is not dispatched; an incomplete event at the end of the stream is discarded
/// (unless the reader calls `finish()`).
///
/// Feed it bytes as they arrive, in chunks of any size; it returns the events completed by each chunk.
public struct SSEParser: Sendable {
    /// The largest event (or line) kept; bigger ones are dropped and counted in `droppedEvents`.
    public let maxEventBytes: Int
    /// The last `id:` seen, for `Last-Event-ID` when reconnecting.
    public private(set) var lastEventID: String?
    /// The last valid `retry:` value, in milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Events dropped for exceeding `maxEventBytes`.
    public private(set) var droppedEvents = 0

    private var line: [UInt8] = []
    private var lineTooLong = false
    /// The current line is a comment: its bytes are not kept.
    private var lineIsComment = false
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    private var eventTooLarge = false
    /// The previous chunk ended with CR: a LF at the start of the next one belongs to the same line break.
    private var pendingCR = false
    private var atStreamStart = true

    private static let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D, colon: UInt8 = 0x3A, space: UInt8 = 0x20

    /// A parser for a new stream; `lastEventID` carries over the id of a previous connection to the same stream.
    public init(maxEventBytes: Int = 16 << 20, lastEventID: String? = nil) {
        self.maxEventBytes = maxEventBytes
        self.lastEventID = lastEventID
    }

    /// Consumes the next chunk of the stream and returns the events it completed.
    public mutating func feed(_ bytes: [UInt8]) -> [SSEEvent] { feed(bytes[...]) }

    /// Consumes the next chunk of the stream and returns the events it completed.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var rest = bytes
        while let event = next(from: &rest) { events.append(event) }
        return events
    }

    /// Consumes `rest` up to the end of the next complete event and returns that event, leaving what follows it in
    /// `rest`; consumes all of `rest` and returns nil when it completes no event. For a reader that acts on each
    /// event before reading the next (a proxy forwarding the first token while the rest of the read waits).
    public mutating func next(from rest: inout ArraySlice<UInt8>) -> SSEEvent? {
        if pendingCR, !rest.isEmpty {
            pendingCR = false
            if rest.first == Self.lf { rest = rest.dropFirst() }
        }
        while let end = Self.firstLineBreak(in: rest) {
            let event = endLine(rest[..<end])
            var next = rest.index(after: end)
            if rest[end] == Self.cr {
                if next == rest.endIndex {
                    pendingCR = true
                } else if rest[next] == Self.lf {
                    next = rest.index(after: next)
                }
            }
            rest = rest[next...]
            if let event { return event }
        }
        append(rest)
        rest = rest[rest.endIndex...]
        return nil
    }

    /// The index of the first LF or CR in `bytes`. Eight bytes at a time: this runs over every byte of every
    /// stream we proxy, and lines (a chunk of JSON each) are long.
    private static func firstLineBreak(in bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            let ones: UInt64 = 0x0101_0101_0101_0101
            var offset = 0
            while offset + 8 <= buffer.count {
                let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
                // The "has a zero byte" trick on word XOR the byte: exact about whether one is there.
                let lineFeed = word ^ (ones &* 0x0A)
                let carriageReturn = word ^ (ones &* 0x0D)
                let found = ((lineFeed &- ones) & ~lineFeed | (carriageReturn &- ones) & ~carriageReturn) & (ones &* 0x80)
                if found != 0 { break }
                offset += 8
            }
            while offset < buffer.count {
                if base[offset] == lf || base[offset] == cr { return bytes.startIndex + offset }
                offset += 1
            }
            return nil
        }
    }

    /// Ends the stream for a reader that wants a last event lacking its closing blank line (unlike a browser):
    /// some OpenAI-compatible servers end the body right after `data: [DONE]\n`, and dropping that would turn a
    /// complete answer into a cut stream. A last line without its line break counts as a line.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty || lineTooLong || lineIsComment, let event = endLine([]) { events.append(event) }
        pendingCR = false
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty, !lineTooLong, !lineIsComment else { return }
        if line.isEmpty, bytes.first == Self.colon {
            lineIsComment = true
            return
        }
        if line.count + bytes.count > maxEventBytes {
            lineTooLong = true
            line = []
        } else {
            line.append(contentsOf: bytes)
        }
    }

    /// Ends the current line, whose last bytes are `tail` (the earlier ones, from previous chunks, are in `line`);
    /// returns the event a blank line dispatched. A line that arrived whole — almost every line — is read where it
    /// is, never copied into `line`.
    private mutating func endLine(_ tail: ArraySlice<UInt8>) -> SSEEvent? {
        if line.isEmpty, !lineTooLong, !lineIsComment {
            defer { atStreamStart = false }
            if tail.first == Self.colon { return nil }  // a comment: servers send them as keep-alives
            if tail.count > maxEventBytes {
                eventTooLarge = true
                return nil
            }
            return interpret(tail)
        }
        append(tail)
        defer {
            line.removeAll(keepingCapacity: true)
            lineTooLong = false
            lineIsComment = false
            atStreamStart = false
        }
        if lineIsComment { return nil }
        if lineTooLong {
            eventTooLarge = true
            return nil
        }
        return interpret(line[...])
    }

    /// Acts on one complete line that is neither a comment nor too long.
    private mutating func interpret(_ whole: ArraySlice<UInt8>) -> SSEEvent? {
        var line = whole
        // A UTF-8 byte order mark may precede the first line.
        if atStreamStart, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        if line.isEmpty { return dispatch() }
        if line.first == Self.colon { return nil }  // a comment after a byte order mark
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: Self.colon) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            name = line
            value = []
        }
        // Field names compared as bytes: no string is made for the `data` line every event has.
        if name.elementsEqual("data".utf8) {
            if data.count + value.count + 1 > maxEventBytes {
                eventTooLarge = true
                data = []
            } else if !eventTooLarge {
                data.append(contentsOf: value)
                data.append(Self.lf)
            }
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                retryMilliseconds = Int(String(decoding: value, as: UTF8.self))
            }
        }  // unknown fields are ignored
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = nil
            eventTooLarge = false
        }
        // A line too long to keep may have been data: count the event as dropped rather than lose it silently.
        guard hasData || eventTooLarge else { return nil }
        if eventTooLarge {
            droppedEvents += 1
            return nil
        }
        data.removeLast()  // the LF after the last data line
        return SSEEvent(type: eventType.flatMap { $0.isEmpty ? nil : $0 }, data: data, id: lastEventID)
    }
}
