#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where the members of a JSON object are, without building them: for forwarding a document while changing only
/// a few of its members (a provider's stream chunk with our id and model in it), which costs a fraction of parsing
/// it into `JSON` values and writing it out again. The document is validated as strictly as `JSON.parse` does.
public enum JSONSkim {
    /// One member of an object, as byte ranges of the input.
    public struct Member: Equatable, Sendable {
        /// The key's bytes between its quotes, as written (escapes not decoded).
        public let key: Range<Int>
        /// Whether the key contains a backslash escape (then compare it after decoding, not by bytes).
        public let keyIsEscaped: Bool
        /// The value, from its first to its last byte.
        public let value: Range<Int>

        /// From the key's opening quote to the value's end: `"key":value` as written (with any inner whitespace).
        public var entry: Range<Int> { (key.lowerBound - 1)..<value.upperBound }
    }

    /// The members of the object that is the whole of `bytes` (surrounding whitespace allowed), in order.
    /// Throws the same errors as `JSON.parse` for invalid JSON, and when the document is not an object.
    public static func members(of bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONParseError) -> [Member] {
        try members(of: bytes, in: 0..<bytes.count, limits: limits)
    }

    /// The members of the object in `range` of `bytes` (a `Member.value` of an earlier call, for instance).
    public static func members(
        of bytes: [UInt8], in range: Range<Int>,
        limits: JSONLimits = .init()
    ) throws(JSONParseError) -> [Member] {
        try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in try parser.skimObject() }
    }

    /// The elements of the array in `range` of `bytes`, as the byte range of each.
    public static func elements(
        of bytes: [UInt8], in range: Range<Int>,
        limits: JSONLimits = .init()
    ) throws(JSONParseError) -> [Range<Int>] {
        try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in try parser.skimArray() }
    }

    /// Hands each member of the object in `range` of `bytes` to `body`, in order, without collecting them: the
    /// allocation-free form of `members(of:in:limits:)` for a hot path. The whole object is validated, so an error
    /// may come after `body` has seen some members.
    public static func forEachMember(
        of bytes: [UInt8], in range: Range<Int>, limits: JSONLimits = .init(),
        _ body: (Member) -> Void
    ) throws(JSONParseError) {
        try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.visitObject(body)
        }
    }

    /// Hands the byte range of each element of the array in `range` of `bytes` to `body`, in order: the
    /// allocation-free form of `elements(of:in:limits:)`.
    public static func forEachElement(
        of bytes: [UInt8], in range: Range<Int>, limits: JSONLimits = .init(),
        _ body: (Range<Int>) -> Void
    ) throws(JSONParseError) {
        try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.visitArray(body)
        }
    }

    /// Whether the member's key is `name` (ASCII, as keys of the wire formats are).
    public static func key(_ member: Member, in bytes: [UInt8], is name: StaticString) -> Bool {
        guard !member.keyIsEscaped, member.key.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        // memcmp, not a generic element-by-element walk: a stream chunk's every key is compared with several names.
        return bytes.withUnsafeBufferPointer { buffer in
            memcmp(buffer.baseAddress! + member.key.lowerBound, expected.baseAddress!, expected.count) == 0
        }
    }

    /// Runs `body` over `range` alone and checks that nothing follows the value. The parser reads the buffer up to
    /// the range's end starting at its start, so every offset it reports (ranges, errors) is already an offset
    /// into `bytes`.
    @inline(__always)
    private static func skim<Result>(
        _ bytes: [UInt8], _ range: Range<Int>, _ limits: JSONLimits,
        _ body: (inout JSONParser) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the bytes")
        guard range.count <= limits.maxBytes else {
            throw JSONParseError(
                offset: range.lowerBound + limits.maxBytes,
                reason: "input is \(range.count) bytes, over the limit of \(limits.maxBytes) bytes")
        }
        guard !range.isEmpty else {
            throw JSONParseError(offset: range.lowerBound, reason: "unexpected end of input, expected a value")
        }
        let outcome = bytes.withUnsafeBytes { raw -> Swift.Result<Result, JSONParseError> in
            // Not empty (checked above), so the buffer has a base address.
            var parser = JSONParser(input: JSONInput(raw.baseAddress!, count: range.upperBound), maxDepth: limits.maxDepth)
            parser.position = range.lowerBound
            return Swift.Result { () throws(JSONParseError) in
                parser.skipWhitespace()
                let result = try body(&parser)
                parser.skipWhitespace()
                guard parser.position == parser.input.count else {
                    throw parser.error("unexpected \(parser.describe(parser.input[parser.position])) after the JSON value")
                }
                return result
            }
        }
        return try outcome.get()
    }
}
