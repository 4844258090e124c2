// The parser reads raw bytes through `JSONInput`, the only type in this target that touches unsafe pointers.
// Every read is preceded by a bounds check in the parser, which the fuzz tests exercise in debug builds where
// `JSONInput` asserts the index as well.

extension JSON {
    /// Parses one JSON value (RFC 8259, strict) from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .init()) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBytes { JSONParser.parse($0, limits: limits) }.get()
    }

    /// Parses one JSON value (RFC 8259, strict) from UTF-8 bytes.
    public static func parse(_ bytes: ArraySlice<UInt8>, limits: JSONLimits = .init()) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBytes { JSONParser.parse($0, limits: limits) }.get()
    }

    /// Parses one JSON value (RFC 8259, strict) from UTF-8 bytes; the bytes are only read during the call.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .init()
    ) throws(JSONParseError) -> JSON {
        try JSONParser.parse(bytes, limits: limits).get()
    }

    /// Parses one JSON value (RFC 8259, strict) from text; error offsets count UTF-8 bytes.
    public static func parse(_ text: String, limits: JSONLimits = .init()) throws(JSONParseError) -> JSON {
        var text = text
        return try text.withUTF8 { JSONParser.parse(UnsafeRawBufferPointer($0), limits: limits) }.get()
    }
}

/// The input bytes, valid for the duration of one parse. Callers check indices against `count` first.
struct JSONInput {
    private let base: UnsafePointer<UInt8>
    let count: Int

    init(_ base: UnsafeRawPointer, count: Int) {
        // UInt8 may alias any memory, so viewing the caller's bytes as UInt8 is always allowed.
        self.base = base.assumingMemoryBound(to: UInt8.self)
        self.count = count
    }

    @inline(__always)
    subscript(index: Int) -> UInt8 {
        assert(index >= 0 && index < count, "JSONInput read out of bounds")
        return base[index]
    }

    /// The bytes in `range` decoded as UTF-8; invalid sequences become U+FFFD.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// Appends the bytes in `range` to `buffer`.
    func append(_ range: Range<Int>, to buffer: inout [UInt8]) {
        assert(range.lowerBound >= 0 && range.upperBound <= count, "JSONInput copy out of bounds")
        buffer.append(contentsOf: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// The index of the first byte at or after `start` that ends a plain run inside a string (`"`, `\` or a
    /// control character), or `count` if there is none.
    func scanPlain(from start: Int) -> Int {
        var index = start
        // Eight bytes at a time: strings are most of a chat message and most of their bytes are plain.
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if Self.containsSpecial(word) { break }
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return index }
            index += 1
        }
        return index
    }

    /// Whether any byte of `word` is `"`, `\` or below 0x20. The "has a byte less than n" bit trick
    /// ((x - n·0x01…) & ~x & 0x80…, from Sean Anderson's Bit Twiddling Hacks) is exact about *whether* such a
    /// byte exists, which is all this needs; the caller finds *where* byte by byte.
    @inline(__always)
    private static func containsSpecial(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl) & highs != 0
    }
}

/// A recursive-descent parser over `JSONInput`; one instance parses one document.
struct JSONParser {
    let input: JSONInput
    let maxDepth: Int
    var position = 0
    var depth = 0
    /// Elements of the arrays being built, innermost last, so each array is allocated once at its final size.
    var elements: [JSON] = []
    /// Members of the objects being built, innermost last, for the same reason.
    var members: [(String, JSON)] = []
    /// Reused for strings with escapes, the only strings that are not decoded straight from the input.
    var scratch: [UInt8] = []

    static func parse(_ raw: UnsafeRawBufferPointer, limits: JSONLimits) -> Result<JSON, JSONParseError> {
        guard raw.count <= limits.maxBytes else {
            let reason = "input is \(raw.count) bytes, over the limit of \(limits.maxBytes) bytes"
            return .failure(JSONParseError(offset: max(limits.maxBytes, 0), reason: reason))
        }
        guard let base = raw.baseAddress, raw.count > 0 else {
            return .failure(JSONParseError(offset: 0, reason: "unexpected end of input, expected a value"))
        }
        var parser = JSONParser(input: JSONInput(base, count: raw.count), maxDepth: limits.maxDepth)
        // One allocation each up front instead of a string of regrowths on every message.
        parser.elements.reserveCapacity(32)
        parser.members.reserveCapacity(32)
        return Result { () throws(JSONParseError) in try parser.parseDocument() }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        let value = try parseValue()
        skipWhitespace()
        guard position == input.count else {
            throw error("unexpected \(describe(input[position])) after the JSON value")
        }
        return value
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        skipWhitespace()
        guard position < input.count else { throw error("unexpected end of input, expected a value") }
        switch input[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not valid JSON")
        case let byte:
            throw error("unexpected \(describe(byte)), expected a value")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSON {
        let start = elements.count
        try walkContainer(isObject: false) { (parser: inout JSONParser) throws(JSONParseError) in
            parser.elements.append(try parser.parseValue())
        }
        let array = Array(elements[start...])
        elements.removeLast(elements.count - start)
        return .array(array)
    }

    private mutating func parseObject() throws(JSONParseError) -> JSON {
        let start = members.count
        try walkContainer(isObject: true) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.expectKeyQuote()
            let key = try parser.parseString()
            try parser.expectColon()
            parser.members.append((key, try parser.parseValue()))
        }
        let object = JSONObject(members: members[start...])
        members.removeLast(members.count - start)
        return .object(object)
    }

    /// The container grammar shared by parsing and skimming (JSONParser+Skim.swift): the opening bracket at
    /// `position`, the depth limit, whitespace, commas (never a trailing one) and the closing bracket. `item` reads
    /// one element, or one `"key": value` member, at `position`.
    @inline(__always)
    mutating func walkContainer(
        isObject: Bool,
        _ item: (inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        try enterContainer()
        skipWhitespace()
        if position < input.count, input[position] == close {
            position += 1
            depth -= 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            guard position < input.count else {
                throw error(
                    isObject
                        ? "unexpected end of input, expected ',' or '}'" : "unexpected end of input, expected ',' or ']'")
            }
            let byte = input[position]
            if byte == close { break }
            guard byte == UInt8(ascii: ",") else {
                throw error(isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element")
            }
            position += 1
            skipWhitespace()
            if position < input.count, input[position] == close {
                throw error(isObject ? "trailing comma in object" : "trailing comma in array")
            }
        }
        position += 1
        depth -= 1
    }

    /// Checks that an object key starts at `position`.
    mutating func expectKeyQuote() throws(JSONParseError) {
        guard position < input.count else { throw error("unexpected end of input, expected an object key") }
        guard input[position] == UInt8(ascii: "\"") else { throw error("expected '\"' to start an object key") }
    }

    /// Steps over the `:` after an object key (and the whitespace before it).
    mutating func expectColon() throws(JSONParseError) {
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: ":") else {
            throw error("expected ':' after object key")
        }
        position += 1
    }

    /// Steps over the opening bracket, refusing to nest deeper than the limit (which bounds our recursion).
    mutating func enterContainer() throws(JSONParseError) {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        depth += 1
        position += 1
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        for offset in 0..<length {
            guard position + offset < input.count, input[position + offset] == bytes[offset] else {
                throw error("invalid literal, expected '\(literal)'")
            }
        }
        position += length
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? position, reason: reason)
    }

    /// A byte as people want to read it in an error: the character if printable ASCII, else its hex value.
    func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte \(hex(byte))"
    }

    func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0" + digits : "0x" + digits
    }
}
