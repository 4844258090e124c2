/// A JSON value, as read from and written to the wire.
///
/// Numbers keep the distinction the text made: a number written without fraction or exponent that fits
/// `Int64` is `.int`, every other number is `.double`. That lets JSON-RPC ids like `1` or `-5` and counters
/// like `max_tokens` round-trip exactly, and keeps `1.0` a double when it is written back.
///
/// Equality is structural with one JSON-specific rule: objects compare as sets of members, ignoring order
/// (see ``JSONObject``). `.int(1)` and `.double(1.0)` are different values.
public enum JSON: Equatable, Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits `Int64`.
    case int(Int64)
    /// Any other number. Parsed values are always finite.
    case double(Double)
    /// A string; escapes are decoded, invalid UTF-8 and lone surrogates read as U+FFFD.
    case string(String)
    /// An array, in order.
    case array([JSON])
    /// An object, members in order.
    case object(JSONObject)
}

extension JSON {
    /// The member named `key` when this is an object, else `nil`.
    ///
    /// Setting works only on `.object` (it is a no-op on anything else, so a typo cannot turn a value into an
    /// object); setting `nil` removes the member, setting `.null` stores a JSON `null`.
    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            guard case .object(var object) = self else { return }
            // Drop our own reference first so `object` is unique and the write does not copy its storage.
            self = .null
            object[key] = newValue
            self = .object(object)
        }
    }

    /// The element at `index` when this is an array and `index` is in range, else `nil`.
    public subscript(index: Int) -> JSON? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// The string when this is `.string`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer when this is `.int`, or a `.double` whose value is integral and fits `Int64`.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The number as a `Double` when this is `.int` or `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The Boolean when this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements when this is `.array`.
    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members when this is `.object`.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSON: CustomStringConvertible {
    /// The compact JSON text, so values read naturally in logs and test failures.
    public var description: String { jsonString }
}
