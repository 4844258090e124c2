/// HTTP header fields in the order they were received or added, with case-insensitive lookup.
///
/// Stored as a plain array of pairs: requests carry a handful of headers, so a linear scan with an ASCII
/// case-insensitive compare beats hashing lower-cased copies of every name.
public struct HTTPHeaders: Sequence, Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    private var pairs: [Element]

    /// Creates headers from `(name, value)` pairs, keeping their order.
    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        for pair in pairs where pair.name.equalsIgnoringASCIICase(name) { return pair.value }
        return nil
    }

    /// Every value of `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        pairs.compactMap { $0.name.equalsIgnoringASCIICase(name) ? $0.value : nil }
    }

    /// True when at least one field is named `name` (case-insensitive).
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(_ name: String, _ value: String) {
        pairs.append((name: name, value: value))
    }

    /// Replaces every field named `name` with one field holding `value` (at the position of the first one).
    public mutating func set(_ name: String, _ value: String) {
        guard let first = pairs.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) else {
            add(name, value)
            return
        }
        pairs[first].value = value
        let tail = pairs[(first + 1)...].filter { !$0.name.equalsIgnoringASCIICase(name) }
        pairs.replaceSubrange((first + 1)..., with: tail)
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        pairs.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The number of fields (a name that appears twice counts twice).
    public var count: Int { pairs.count }

    /// True when there are no fields.
    public var isEmpty: Bool { pairs.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive equality, the comparison HTTP field names and tokens use (RFC 9110 §5.1).
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let lhs = utf8, rhs = other.utf8
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) where a != b {
            // Only letters fold: setting bit 5 maps A-Z onto a-z, but would also pair e.g. `[` with `{`.
            let folded = a | 0x20
            guard folded == b | 0x20, folded >= UInt8(ascii: "a"), folded <= UInt8(ascii: "z") else { return false }
        }
        return true
    }
}
