// Skimming: the same grammar as parsing, walked without building values (see JSONSkim).

extension JSONParser {
    /// Expects an object at `position`; returns its members' ranges and moves past it.
    mutating func skimObject() throws(JSONParseError) -> [JSONSkim.Member] {
        var members: [JSONSkim.Member] = []
        members.reserveCapacity(8)  // one allocation for the usual object instead of a string of regrowths
        try visitObject { members.append($0) }
        return members
    }

    /// Expects an array at `position`; returns its elements' ranges and moves past it.
    mutating func skimArray() throws(JSONParseError) -> [Range<Int>] {
        var elements: [Range<Int>] = []
        elements.reserveCapacity(4)
        try visitArray { elements.append($0) }
        return elements
    }

    /// Expects an object at `position`, hands each member to `body` and moves past it. Values inside are stepped
    /// over without collecting anything, so skimming a stream chunk allocates nothing for what is nested in it.
    mutating func visitObject(_ body: (JSONSkim.Member) -> Void) throws(JSONParseError) {
        guard position < input.count, input[position] == UInt8(ascii: "{") else {
            throw error(position < input.count ? "expected an object" : "unexpected end of input, expected an object")
        }
        try walkContainer(isObject: true) { (parser: inout JSONParser) throws(JSONParseError) in
            try parser.expectKeyQuote()
            let (key, escaped) = try parser.skipString()
            try parser.expectColon()
            parser.skipWhitespace()
            let valueStart = parser.position
            try parser.skipValue()
            body(JSONSkim.Member(key: key, keyIsEscaped: escaped, value: valueStart..<parser.position))
        }
    }

    /// Expects an array at `position`, hands each element's range to `body` and moves past it.
    mutating func visitArray(_ body: (Range<Int>) -> Void) throws(JSONParseError) {
        guard position < input.count, input[position] == UInt8(ascii: "[") else {
            throw error(position < input.count ? "expected an array" : "unexpected end of input, expected an array")
        }
        try walkContainer(isObject: false) { (parser: inout JSONParser) throws(JSONParseError) in
            parser.skipWhitespace()
            let start = parser.position
            try parser.skipValue()
            body(start..<parser.position)
        }
    }

    /// Steps over one value, validating it.
    mutating func skipValue() throws(JSONParseError) {
        skipWhitespace()
        guard position < input.count else { throw error("unexpected end of input, expected a value") }
        switch input[position] {
        case UInt8(ascii: "\""): _ = try skipString()
        // A visitor that keeps nothing: nested values are validated without allocating.
        case UInt8(ascii: "{"): try visitObject { _ in }
        case UInt8(ascii: "["): try visitArray { _ in }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "N"), UInt8(ascii: "I"): throw error("NaN and Infinity are not valid JSON")
        case let byte: throw error("unexpected \(describe(byte)), expected a value")
        }
    }

    /// Steps over the string whose opening quote is at `position`; returns the range between its quotes and
    /// whether it holds escapes. Escapes are checked as `parseString` checks them.
    mutating func skipString() throws(JSONParseError) -> (Range<Int>, Bool) {
        let opening = position
        let start = position + 1
        var cursor = input.scanPlain(from: start)
        var escaped = false
        while true {
            guard cursor < input.count else { throw error("unterminated string", at: opening) }
            let byte = input[cursor]
            if byte == UInt8(ascii: "\"") {
                position = cursor + 1
                return (start..<cursor, escaped)
            }
            guard byte == UInt8(ascii: "\\") else {
                throw error("unescaped control character \(hex(byte)) in string", at: cursor)
            }
            escaped = true
            cursor = try skipEscape(at: cursor, opening: opening)
            cursor = input.scanPlain(from: cursor)
        }
    }

    private func skipEscape(at backslash: Int, opening: Int) throws(JSONParseError) -> Int {
        let index = backslash + 1
        guard index < input.count else { throw error("unterminated string", at: opening) }
        switch input[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 1
        case UInt8(ascii: "u"):
            guard hexQuad(at: backslash + 2) != nil else {
                throw error("invalid \\u escape, expected 4 hex digits", at: backslash)
            }
            return backslash + 6
        case let byte:
            throw error("invalid escape sequence '\\' followed by \(describe(byte))", at: backslash)
        }
    }
}
