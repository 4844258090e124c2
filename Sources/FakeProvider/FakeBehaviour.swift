/// What a model name asks the fake provider to do: the name split on `+`, the first segment the base name, every
/// other segment one directive, e.g. `gpt-fake+latency-50+chunks-20`. The same syntax works in all three formats,
/// so a test scripts an upstream's misbehaviour just by choosing the model it routes to.
///
/// Parsing is a single scan of a short string (no regex, no Foundation): it runs on every request.
struct FakeBehaviour: Equatable {
    /// The name before the first `+`.
    var baseName: Substring = ""
    /// `latency-N`: milliseconds before the response head (and the first stream event).
    var latencyMilliseconds: UInt64 = 0
    /// `chunk-delay-N`: milliseconds between stream events.
    var chunkDelayMilliseconds: UInt64 = 0
    /// `chunks-N`: answer with exactly N words.
    var wordCount: Int?
    /// `status-N`: answer status N (400...599) with the provider's error body.
    var status: Int?
    /// `retry-after-N`: a `Retry-After: N` header on error responses.
    var retryAfterSeconds: Int?
    /// `context-too-long`: the provider's context-length error.
    var contextTooLong = false
    /// `content-filter`: the provider's way of refusing (an error for OpenAI, a refusal for the others).
    var contentFilter = false
    /// `hang`: accept the request and never answer.
    var hang = false
    /// `cut-after-N`: N content events, then the stream ends without its terminator.
    var cutAfter: Int?
    /// `invalid-json`: a body (or first stream event) that is not JSON.
    var invalidJSON = false
    /// `fail-first-N`: the first N requests for this exact model name get a 500.
    var failFirst: Int?
    /// `tools`: answer with a tool call when the request offers tools.
    var tools = false

    /// A directive the fake does not know, or a known one with a bad argument. Answered 400 so a typo in a test
    /// fails loudly instead of silently testing the happy path.
    struct UnknownDirective: Error, Equatable {
        var directive: String
        var model: String
        var message: String {
            "fake-provider: unknown or malformed directive '\(directive)' in model '\(model)' (known: latency-N, "
                + "chunk-delay-N, chunks-N, status-N, retry-after-N, context-too-long, content-filter, hang, "
                + "cut-after-N, invalid-json, fail-first-N, tools)"
        }
    }

    /// No directives.
    init() {}

    /// Reads the directives of `model`.
    init(model: String) throws(UnknownDirective) {
        var segments = model.split(separator: "+", omittingEmptySubsequences: false)[...]
        baseName = segments.popFirst() ?? ""
        for segment in segments {
            guard apply(segment) else { throw UnknownDirective(directive: String(segment), model: model) }
        }
    }

    /// Applies one directive; false when it is unknown or its number is malformed or out of range.
    private mutating func apply(_ directive: Substring) -> Bool {
        switch directive {
        case "context-too-long": contextTooLong = true
        case "content-filter": contentFilter = true
        case "hang": hang = true
        case "invalid-json": invalidJSON = true
        case "tools": tools = true
        default: return applyNumbered(directive)
        }
        return true
    }

    private mutating func applyNumbered(_ directive: Substring) -> Bool {
        // The number is everything after the last `-`; the name is everything before it.
        guard let dash = directive.lastIndex(of: "-"),
            let number = Int(directive[directive.index(after: dash)...]), number >= 0
        else { return false }
        switch directive[..<dash] {
        case "latency": latencyMilliseconds = UInt64(number)
        case "chunk-delay": chunkDelayMilliseconds = UInt64(number)
        case "chunks" where number >= 1: wordCount = number
        case "status" where (400...599).contains(number): status = number
        case "retry-after": retryAfterSeconds = number
        case "cut-after": cutAfter = number
        case "fail-first": failFirst = number
        default: return false
        }
        return true
    }
}
