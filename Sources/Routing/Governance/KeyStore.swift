/// Where keys and their spend counters persist (SQLite in the gateway; a server database later). Loading is
/// synchronous at startup; writes run off the loop and report back on it.
public protocol KeyStore: AnyObject {
    func loadKeys() throws -> [APIKey]
    /// Inserts or replaces the whole key record.
    func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void)
    func deleteKey(id: String, completion: @escaping (Error?) -> Void)
    /// Persists a key's spend counters after a settled request (may be batched; must not be lost on close).
    func recordSpend(keyID: String, spend: Double, periodStart: Double, totalSpend: Double)
}

/// Who is calling, once authenticated.
public enum Principal: Sendable, Equatable {
    /// No admin key is configured: Switchyard runs open for local single-user use.
    case open
    case admin
    case key(APIKey)

    /// The key, when the caller is a stored key.
    public var key: APIKey? { if case .key(let key) = self { return key } else { return nil } }

    /// Whether this caller may manage keys.
    public var canManageKeys: Bool {
        switch self {
        case .open, .admin: true
        case .key(let key): key.kind == .provisioning
        }
    }

    /// Whether this caller may see and call the exposed tool `tool`.
    public func allowsTool(_ tool: String, server: String?) -> Bool { key?.allowsTool(tool, server: server) ?? true }
}
