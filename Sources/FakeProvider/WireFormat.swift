import HTTPServer
import JSON

/// Why the fake answers with an error instead of an answer. Each wire format renders it in its provider's own
/// error shape and status.
enum FakeFailure: Error, Equatable {
    /// `status-N` or `fail-first-N`: that status with a fitting message.
    case status(Int)
    /// `context-too-long`.
    case contextTooLong
    /// `content-filter` where the provider refuses with an error (OpenAI).
    case contentFilter
    /// A malformed request or an unknown directive (400).
    case badRequest(String)
    /// Missing credentials (401).
    case authentication(String)
    /// An unknown path (404).
    case notFound(String)

    var status: Int {
        switch self {
        case .status(let status): status
        case .contextTooLong, .contentFilter, .badRequest: 400
        case .authentication: 401
        case .notFound: 404
        }
    }

    /// The message for `.status`, shared by the formats; the other cases carry or imply their own.
    static func message(forStatus status: Int) -> String {
        switch status {
        case 401: "fake-provider: invalid API key (status-401)"
        case 403: "fake-provider: permission denied (status-403)"
        case 404: "fake-provider: model not found (status-404)"
        case 408: "fake-provider: request timed out (status-408)"
        case 429: "fake-provider: rate limit reached, retry later (status-429)"
        case 500: "fake-provider: internal server error (status-500)"
        case 502: "fake-provider: bad gateway (status-502)"
        case 503: "fake-provider: service unavailable (status-503)"
        case 504: "fake-provider: deadline exceeded (status-504)"
        case 529: "fake-provider: overloaded (status-529)"
        default: "fake-provider: error status \(status) requested by the model name"
        }
    }
}

/// A complete (non-streamed) response.
struct FakeReply {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    /// A JSON response.
    static func json(_ value: JSON, status: Int = 200) -> FakeReply {
        FakeReply(status: status, headers: ["Content-Type": "application/json"], body: value.serialized())
    }

    /// A JSON response from bytes already serialised.
    static func json(bytes: [UInt8]) -> FakeReply {
        FakeReply(status: 200, headers: ["Content-Type": "application/json"], body: bytes)
    }
}

/// One server-sent event: an optional `event:` name and one `data:` line.
struct SSEEvent {
    var name: String?
    var data: [UInt8]

    /// An unnamed event (OpenAI, Gemini).
    init(_ value: JSON) {
        name = nil
        data = value.serialized()
    }

    /// A named event (Anthropic).
    init(_ name: String, _ value: JSON) {
        self.name = name
        data = value.serialized()
    }

    init(name: String?, raw: [UInt8]) {
        self.name = name
        data = raw
    }

    /// Appends the event's wire form; `crlf` ends lines with CRLF (as Gemini does) instead of LF.
    func write(into bytes: inout [UInt8], crlf: Bool) {
        if let name {
            bytes.append(contentsOf: "event: ".utf8)
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: crlf ? [13, 10] : [10])
        }
        bytes.append(contentsOf: "data: ".utf8)
        bytes.append(contentsOf: data)
        bytes.append(contentsOf: crlf ? [13, 10, 13, 10] : [10, 10])
    }
}

/// A streamed answer in three parts, so directives can act on the content: `cut-after-N` sends the prefix and N
/// content events and never the suffix (the terminator); `invalid-json` spoils the first content event.
struct StreamPlan {
    /// Events before the content (OpenAI's role chunk, Anthropic's `message_start` …).
    var prefix: [SSEEvent] = []
    /// One event per piece of the answer.
    var content: [SSEEvent] = []
    /// Events that finish the stream (finish reason, usage, `[DONE]`, `message_stop` …).
    var suffix: [SSEEvent] = []
    /// Gemini ends SSE lines with CRLF.
    var crlf = false
}

/// One provider's wire format: how it renders answers and errors. Implementations are pure transformations of
/// values into bytes, with no I/O, so `ResponseDriver` applies timing and damage the same way for all three.
protocol WireFormat {
    /// Renders `failure` in the provider's error shape.
    static func error(_ failure: FakeFailure) -> FakeReply
    /// The complete, non-streamed answer body.
    static func completion(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> [UInt8]
    /// The streamed answer as events.
    static func stream(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> StreamPlan
    /// True when the provider refuses filtered content with an error rather than an answer.
    static var contentFilterIsError: Bool { get }
}

/// Response timestamps are fixed so answers are byte-for-byte deterministic.
let fakeCreatedTimestamp: Int64 = 1_700_000_000

extension String {
    /// The string cut in two halves at a character boundary: tool-call arguments stream as two fragments, as
    /// real streams split them, so clients must concatenate.
    var halves: [String] {
        let middle = index(startIndex, offsetBy: count / 2)
        return [String(self[..<middle]), String(self[middle...])].filter { !$0.isEmpty }
    }
}
