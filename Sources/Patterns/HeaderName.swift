/// HTTP header names as RFC 9110 §5.1 defines them (a `token`): what a settings file may name in `headers`.
public enum HeaderName {
    /// True when `name` can be sent as a header name: non-empty, ASCII letters, digits and ``!#$%&'*+-.^_`|~``
    /// (a space or a colon would be sent as something else: `X:Y: z` is the header `X` with the value `Y: z`).
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
