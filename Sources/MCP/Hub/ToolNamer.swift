/// Builds the names clients see for downstream tools and prompts: `<server>__<tool>`.
///
/// Clients accept `^[a-zA-Z0-9_-]{1,64}$`. The rule, deterministic and documented in the README:
/// 1. `<server>__<tool>` when it already matches that pattern and fits `maxLength`;
/// 2. otherwise every character outside `[a-zA-Z0-9_-]` becomes `_`, the result is cut to `maxLength - 11`
///    characters and `_` plus 10 hex digits of a 64-bit FNV-1a hash of the original `server`, NUL, `tool` is
///    appended — so two different tools never shorten to the same name by construction (unless the hashes
///    collide, which `NameTable` still detects and resolves).
/// Rule 1 applies only to "plain" server names (letters, digits, `-`, `_`; no `__`; not starting or ending with
/// `_`), so two rule-1 names never collide either; any other server name (`my.server`) always takes rule 2.
public enum ToolNamer {
    public static let defaultMaxLength = 64

    public static func exposedName(server: String, tool: String, maxLength: Int = defaultMaxLength) -> String {
        let plain = "\(server)__\(tool)"
        if isPlainServerName(server), plain.utf8.count <= maxLength, plain.utf8.allSatisfy(isAllowed) { return plain }
        return shortened(plain, hashing: server + "\u{0}" + tool, maxLength: maxLength)
    }

    static func shortened(_ name: String, hashing original: String, maxLength: Int) -> String {
        let sanitized = String(decoding: name.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        let hash = String(fnv1a(original), radix: 16)
        let suffix = String(repeating: "0", count: max(0, 16 - hash.count)) + hash
        return String(sanitized.prefix(maxLength - 11)) + "_" + suffix.prefix(10)
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Whether a server name keeps its tools' names readable (`<server>__<tool>` unchanged).
    public static func isPlainServerName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isAllowed) && !name.contains("__") && !name.hasSuffix("_")
            && !name.hasPrefix("_")
    }

    /// Whether `name` is usable as a server name at all: 1–64 printable characters, no `/`.
    public static func validServerName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && !name.contains("/")
            && name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }
}

/// Maps exposed names back to (server, original name), resolving the (theoretical) hash collision deterministically.
struct NameTable {
    private(set) var entries: [String: (server: String, name: String)] = [:]

    /// Registers and returns the exposed name. Callers register in a stable order (server, then name).
    mutating func register(server: String, name: String, maxLength: Int) -> String {
        var exposed = ToolNamer.exposedName(server: server, tool: name, maxLength: maxLength)
        var attempt = 1
        while let existing = entries[exposed], existing.server != server || existing.name != name {
            exposed = ToolNamer.shortened(
                "\(server)__\(name)", hashing: "\(server)\u{0}\(name)\u{0}\(attempt)", maxLength: maxLength)
            attempt += 1
        }
        entries[exposed] = (server, name)
        return exposed
    }

    func lookup(_ exposed: String) -> (server: String, name: String)? { entries[exposed] }
}
