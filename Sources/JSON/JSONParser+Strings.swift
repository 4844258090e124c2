// Strings: the common case (no escapes) becomes one `String(decoding:)` over the input span; only strings with
// escapes are assembled, in a reused scratch buffer. Invalid UTF-8 and lone surrogates become U+FFFD.

extension JSONParser {
    /// Reads the string whose opening quote is at `position` and moves past its closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let opening = position
        let start = position + 1
        let end = input.scanPlain(from: start)
        guard end < input.count else { throw error("unterminated string", at: opening) }
        if input[end] == UInt8(ascii: "\"") {
            position = end + 1
            return input.string(start..<end)
        }

        scratch.removeAll(keepingCapacity: true)
        input.append(start..<end, to: &scratch)
        var cursor = end
        while true {
            guard cursor < input.count else { throw error("unterminated string", at: opening) }
            let byte = input[cursor]
            if byte == UInt8(ascii: "\"") {
                position = cursor + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                throw error("unescaped control character \(hex(byte)) in string", at: cursor)
            }
            cursor = try readEscape(at: cursor, opening: opening)
            let runEnd = input.scanPlain(from: cursor)
            input.append(cursor..<runEnd, to: &scratch)
            cursor = runEnd
        }
    }

    /// Appends the character escaped at `backslash` to `scratch`; returns the index just past the escape.
    private mutating func readEscape(at backslash: Int, opening: Int) throws(JSONParseError) -> Int {
        let index = backslash + 1
        guard index < input.count else { throw error("unterminated string", at: opening) }
        let escaped: UInt8
        switch input[index] {
        case UInt8(ascii: "\""): escaped = 0x22
        case UInt8(ascii: "\\"): escaped = 0x5C
        case UInt8(ascii: "/"): escaped = 0x2F
        case UInt8(ascii: "b"): escaped = 0x08
        case UInt8(ascii: "f"): escaped = 0x0C
        case UInt8(ascii: "n"): escaped = 0x0A
        case UInt8(ascii: "r"): escaped = 0x0D
        case UInt8(ascii: "t"): escaped = 0x09
        case UInt8(ascii: "u"): return try readUnicodeEscape(at: backslash)
        case let byte: throw error("invalid escape sequence '\\' followed by \(describe(byte))", at: backslash)
        }
        scratch.append(escaped)
        return index + 1
    }

    /// Handles `\uXXXX`, joining a high surrogate with a following `\uXXXX` low surrogate. A surrogate without
    /// its partner cannot be encoded in UTF-8, so it becomes U+FFFD and whatever follows is read normally.
    private mutating func readUnicodeEscape(at backslash: Int) throws(JSONParseError) -> Int {
        guard let unit = hexQuad(at: backslash + 2) else {
            throw error("invalid \\u escape, expected 4 hex digits", at: backslash)
        }
        var next = backslash + 6
        var scalar = unit
        switch unit {
        case 0xD800...0xDBFF:
            if next + 1 < input.count, input[next] == UInt8(ascii: "\\"), input[next + 1] == UInt8(ascii: "u"),
                let low = hexQuad(at: next + 2), (0xDC00...0xDFFF).contains(low)
            {
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else {
                scalar = 0xFFFD
            }
        case 0xDC00...0xDFFF:
            scalar = 0xFFFD
        default:
            break
        }
        appendUTF8(scalar)
        return next
    }

    /// The value of four hex digits starting at `index`, or `nil` if they are not all there.
    func hexQuad(at index: Int) -> UInt32? {
        guard index + 4 <= input.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = input[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends `scalar` (a valid scalar value, never a surrogate) to `scratch` as UTF-8.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
