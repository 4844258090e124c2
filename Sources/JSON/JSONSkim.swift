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
    public static func members(of bytes: [UInt8], in range: Range<Int>,
                               limits: JSONLimits = .init()) throws(JSONParseError) -> [Member] {
        let offset = range.lowerBound
        return try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.skimObject()
        }.map {
            Member(key: $0.key.shifted(by: offset), keyIsEscaped: $0.keyIsEscaped, value: $0.value.shifted(by: offset))
        }
    }

    /// The elements of the array in `range` of `bytes`, as the byte range of each.
    public static func elements(of bytes: [UInt8], in range: Range<Int>,
                                limits: JSONLimits = .init()) throws(JSONParseError) -> [Range<Int>] {
        let offset = range.lowerBound
        return try skim(bytes, range, limits) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.skimArray()
        }.map { $0.shifted(by: offset) }
    }

    /// Whether the member's key is `name` (ASCII, as keys of the wire formats are).
    public static func key(_ member: Member, in bytes: [UInt8], is name: StaticString) -> Bool {
        guard !member.keyIsEscaped, member.key.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return bytes[member.key].elementsEqual(expected)
    }

    /// Runs `body` over `range` alone (offsets relative to its start) and checks that nothing follows the value.
    private static func skim<Result>(
        _ bytes: [UInt8], _ range: Range<Int>, _ limits: JSONLimits,
        _ body: (inout JSONParser) throws(JSONParseError) -> Result
    ) throws(JSONParseError) -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the bytes")
        guard range.count <= limits.maxBytes else {
            throw JSONParseError(offset: range.lowerBound + limits.maxBytes,
                                 reason: "input is \(range.count) bytes, over the limit of \(limits.maxBytes) bytes")
        }
        let outcome = bytes.withUnsafeBytes { raw -> Swift.Result<Result, JSONParseError> in
            let slice = UnsafeRawBufferPointer(rebasing: raw[range])
            guard let base = slice.baseAddress, !slice.isEmpty else {
                return .failure(JSONParseError(offset: 0, reason: "unexpected end of input, expected a value"))
            }
            var parser = JSONParser(input: JSONInput(base, count: slice.count), maxDepth: limits.maxDepth)
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
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw JSONParseError(offset: error.offset + range.lowerBound, reason: error.reason)
        }
    }
}

extension Range<Int> {
    fileprivate func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}
