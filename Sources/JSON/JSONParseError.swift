/// Limits the parser enforces, so a hostile or broken peer cannot exhaust memory or the stack.
public struct JSONLimits: Sendable {
    /// The deepest nesting of arrays and objects accepted; a bare scalar is depth 0. The parser recurses once
    /// per level, so this also bounds its stack use.
    public var maxDepth: Int = 128
    /// The largest input accepted, in bytes.
    public var maxBytes: Int = 64 << 20

    /// Limits with the given values; the defaults suit protocol messages.
    public init(maxDepth: Int = 128, maxBytes: Int = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// Why some input is not acceptable JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the input where the problem was found.
    public let offset: Int
    /// What was wrong, for people: e.g. "expected ':' after object key".
    public let reason: String

    /// An error at `offset` for `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// E.g. "invalid JSON at byte 17: expected ':' after object key".
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
