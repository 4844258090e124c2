/// Whether bytes are UTF-8 that can be forwarded as they are. Bytes copied from a provider into a client's answer
/// (the pass-through paths) skip the decoding that repairs invalid UTF-8 to U+FFFD, so they are checked first.
public enum UTF8Check {
    /// Whether `bytes` is valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and,
    /// unless `allowingLineFeeds`, holds no line feed — a JSON document that can go out as one SSE `data:` line.
    public static func isValid(_ bytes: [UInt8], allowingLineFeeds: Bool = true) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            let count = buffer.count
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let lineFeeds = ones &* (allowingLineFeeds ? 0x80 : 0x0A)  // 0x80 never matches: a byte it equals is not ASCII
            var index = 0
            while index < count {
                // ASCII without a line feed, eight bytes at a time: almost all of an English answer.
                if index + 8 <= count {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    let matched = word ^ lineFeeds
                    if (word | ((matched &- ones) & ~matched)) & highs == 0 {
                        index += 8
                        continue
                    }
                }
                let lead = base[index]
                if lead < 0x80 {
                    if lead == 0x0A, !allowingLineFeeds { return false }
                    index += 1
                    continue
                }
                guard let (length, second) = sequence(lead), index + length <= count,
                    second.contains(base[index + 1])
                else { return false }
                for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 { return false }
                index += length
            }
            return true
        }
    }

    /// The length of the sequence a lead byte starts and the range its second byte must fall in (Unicode Table 3-7,
    /// "Well-Formed UTF-8 Byte Sequences"); nil for a byte that cannot start one.
    @inline(__always)
    private static func sequence(_ lead: UInt8) -> (Int, ClosedRange<UInt8>)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80...0xBF)
        case 0xE0: return (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80...0xBF)
        case 0xED: return (3, 0x80...0x9F)
        case 0xF0: return (4, 0x90...0xBF)
        case 0xF1...0xF3: return (4, 0x80...0xBF)
        case 0xF4: return (4, 0x80...0x8F)
        default: return nil
        }
    }
}
