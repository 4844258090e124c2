// Literals make hand-built messages and test fixtures read like the JSON they stand for.

extension JSON: ExpressibleByStringLiteral {
    /// A `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    /// An `.int`.
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSON: ExpressibleByFloatLiteral {
    /// A `.double`, even when the literal is integral (`1.0`).
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSON: ExpressibleByBooleanLiteral {
    /// A `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    /// An `.array`.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// An `.object` with members in literal order; a repeated key keeps its first position and last value.
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}

extension JSON: ExpressibleByNilLiteral {
    /// `.null`. Where the type is `JSON?` (as in subscripts), `nil` still means "absent", not `.null`.
    public init(nilLiteral: ()) { self = .null }
}
