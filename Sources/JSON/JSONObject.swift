/// The members of a JSON object, in insertion order.
///
/// Order is kept because messages are forwarded and must keep their shape. A key appears at most once:
/// setting an existing key replaces its value in place, and when input repeats a key the last value wins
/// at the position of the first.
///
/// Equality ignores order — `{"a":1,"b":2}` equals `{"b":2,"a":1}` — because that is what the two texts mean;
/// compare ``keys`` when order matters.
public struct JSONObject: Sendable {
    /// One member, as yielded when iterating.
    public typealias Element = (key: String, value: JSON)

    /// Objects on the wire are small, and comparing a few keys beats hashing them, so the dictionary index is
    /// only built once an object grows past this many members.
    static let indexThreshold = 12

    private var entries: [Element]
    /// Position of each key in `entries`; `nil` while the object is small enough to scan.
    private var index: [String: Int]?

    /// An empty object.
    public init() {
        entries = []
        index = nil
    }

    /// An object with `pairs` in order; a repeated key keeps its first position and takes its last value.
    public init(_ pairs: [(String, JSON)]) {
        self.init(members: pairs[...])
    }

    /// Shared by the public initialiser and the parser, which hands over a slice of its member stack.
    init(members pairs: ArraySlice<(String, JSON)>) {
        entries = []
        index = nil
        entries.reserveCapacity(pairs.count)
        if pairs.count <= Self.indexThreshold {
            for (key, value) in pairs {
                if let position = linearPosition(of: key) {
                    entries[position].value = value
                } else {
                    entries.append((key, value))
                }
            }
        } else {
            var positions = [String: Int](minimumCapacity: pairs.count)
            for (key, value) in pairs {
                if let position = positions[key] {
                    entries[position].value = value
                } else {
                    positions[key] = entries.count
                    entries.append((key, value))
                }
            }
            index = positions
        }
    }

    /// The value for `key`, or `nil` when absent. Setting `nil` removes the member; setting a new key appends it.
    public subscript(key: String) -> JSON? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    append(key, newValue)
                }
            } else if let position = position(of: key) {
                entries.remove(at: position)
                rebuildIndex()
            }
        }
    }

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether there are no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys, in order.
    public var keys: [String] { entries.map(\.key) }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return linearPosition(of: key)
    }

    private func linearPosition(of key: String) -> Int? {
        var position = 0
        while position < entries.count {
            if entries[position].key == key { return position }
            position += 1
        }
        return nil
    }

    private mutating func append(_ key: String, _ value: JSON) {
        entries.append((key, value))
        if index != nil {
            index![key] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.indexThreshold else {
            index = nil
            return
        }
        var positions = [String: Int](minimumCapacity: entries.count)
        for (position, entry) in entries.enumerated() { positions[entry.key] = position }
        index = positions
    }
}

extension JSONObject: Sequence {
    /// Iterates the members in order as `(key:, value:)` pairs.
    public func makeIterator() -> IndexingIterator<[Element]> {
        entries.makeIterator()
    }

    /// The number of members, so `map` and friends allocate once.
    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Members in literal order; a repeated key keeps its first position and last value.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}

extension JSONObject: Equatable, Hashable {
    /// Same members with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let count = lhs.entries.count
        guard count == rhs.entries.count else { return false }
        // Forwarded and re-parsed objects usually share their order, so walk both in step first.
        var position = 0
        while position < count, lhs.entries[position].key == rhs.entries[position].key {
            guard lhs.entries[position].value == rhs.entries[position].value else { return false }
            position += 1
        }
        // Keys are unique and the prefixes match, so the rest of lhs must map one-to-one onto the rest of rhs.
        while position < count {
            let entry = lhs.entries[position]
            guard let other = rhs[entry.key], other == entry.value else { return false }
            position += 1
        }
        return true
    }

    /// Order-independent, to agree with `==`: members are hashed one by one and combined with XOR.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for entry in entries {
            var memberHasher = Hasher()
            memberHasher.combine(entry.key)
            memberHasher.combine(entry.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text of the object.
    public var description: String { JSON.object(self).jsonString }
}
