// The compact writer: appends bytes to one growing [UInt8], never building intermediate Strings for structure.

extension JSON {
    /// The compact JSON text as UTF-8: no spaces, no trailing newline.
    public func serialized() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        write(into: &buffer)
        return buffer
    }

    /// Appends the compact JSON text to `buffer`, e.g. after a framing header already in it.
    public func write(into buffer: inout [UInt8]) {
        switch self {
        case .null:
            JSONWriter.appendASCII("null", to: &buffer)
        case .bool(let value):
            JSONWriter.appendASCII(value ? "true" : "false", to: &buffer)
        case .int(let value):
            JSONWriter.append(value, to: &buffer)
        case .double(let value):
            JSONWriter.append(value, to: &buffer)
        case .string(let value):
            JSONWriter.append(value, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                element.write(into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.append(key, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                value.write(into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// The compact JSON text.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}

/// Scalar formatting shared by the compact and the pretty writer.
enum JSONWriter {
    /// Literal text; string literals are stored contiguously, so this is a plain copy.
    static func appendASCII(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Decimal digits, without going through `String`.
    static func append(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude  // UInt64, so Int64.min is fine
        if magnitude < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        // Digits come out least significant first: write them, then reverse that stretch in place.
        let start = buffer.count
        while magnitude > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        buffer[start...].reverse()
    }

    /// Swift's shortest round-trip form, which is valid JSON for finite values. An integral double must still
    /// read back as a double, so it always carries a `.0` or an exponent; non-finite values have no JSON
    /// form and are written as `null`.
    static func append(_ value: Double, to buffer: inout [UInt8]) {
        guard value.isFinite else {
            appendASCII("null", to: &buffer)
            return
        }
        let text = value.description
        buffer.append(contentsOf: text.utf8)
        // Today's `description` already writes "1.0" and "1e+16"; this guards the rule against it ever changing.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            appendASCII(".0", to: &buffer)
        }
    }

    /// A quoted string with `"`, `\` and control characters escaped; all other UTF-8 is copied as is.
    static func append(_ value: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        // The one unsafe view outside the parser, read-only and through bounds-checked slices: stepping through
        // `String.UTF8View` byte by byte made the whole writer twice as slow (≈125k vs ≈60k instructions for a
        // 2 KB message). Native Swift strings are always contiguous, so the fallback is for bridged ones.
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where needsEscape(byte) {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(for: byte, to: &buffer)
                runStart = index + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        if done == nil {
            for byte in value.utf8 {
                if needsEscape(byte) { appendEscape(for: byte, to: &buffer) } else { buffer.append(byte) }
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendEscape(for byte: UInt8, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        default:
            // Only 0x00…0x1F get here, so the first hex digit is 0 or 1.
            appendASCII("u00", to: &buffer)
            let low = byte & 0x0F
            buffer.append(UInt8(ascii: "0") + (byte >> 4))
            buffer.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
        }
    }
}
