/// Where keys and their spend counters persist (SQLite in the gateway; a server database later). Loading is
/// synchronous at startup; everything else runs off the loop and reports back on it.
///
/// Several processes may share one store (`switchyard serve`, one `switchyard stdio` per MCP client session, the
/// `switchyard keys` command line), so spend is recorded as increments that the store adds up, never as absolute
/// counters that would overwrite another process's spend. Operations take effect in the order they are called and
/// their completions run on the loop in that order: `Governor.reload` relies on it.
public protocol KeyStore: AnyObject {
    func loadKeys() throws -> [APIKey]
    /// Inserts the whole key record, or replaces every field of a stored one except its spend counters (the
    /// store is their authority: it adds up the spend of every process).
    func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void)
    func deleteKey(id: String, completion: @escaping (Error?) -> Void)
    /// Adds the cost of one settled request (USD) to a key's counters: to `spend` when `periodStart` is the stored
    /// period, as the first spend of a new period when it is later, and always to `totalSpend`. May be batched;
    /// must not be lost on close.
    func recordSpend(keyID: String, cost: Double, periodStart: Double)
    /// Reads every stored key off the loop. `completion` runs on the loop with the keys as stored and the spend
    /// this process recorded that is not in them yet (still buffered, or in a write that has not reported back).
    func reloadKeys(completion: @escaping (Result<KeySnapshot, Error>) -> Void)
}

/// Spend recorded for a key and not yet written: the added cost of settled requests in one budget period.
public struct SpendDelta: Sendable, Equatable {
    /// The start of the key's budget period when the requests settled (unix seconds).
    public var periodStart: Double
    /// USD.
    public var cost: Double

    public init(periodStart: Double, cost: Double) {
        self.periodStart = periodStart
        self.cost = cost
    }
}

/// The keys as a `KeyStore` holds them, and this process's spend that is not written into them yet.
public struct KeySnapshot: Sendable {
    public var keys: [APIKey]
    /// By key id.
    public var unwritten: [String: [SpendDelta]]

    public init(keys: [APIKey], unwritten: [String: [SpendDelta]] = [:]) {
        self.keys = keys
        self.unwritten = unwritten
    }

    /// The stored keys with the unwritten spend added as the store will add it, so they count everything this
    /// process spent (and everything other processes had written when the keys were read).
    public var keysWithUnwrittenSpend: [APIKey] {
        keys.map { stored in
            var key = stored
            for delta in unwritten[key.id] ?? [] { key.addSpend(delta) }
            return key
        }
    }
}

extension APIKey {
    /// Adds `delta` the way the store does: a later period starts over with the delta, the same period adds to
    /// it, an earlier one (another process rolled the period meanwhile) counts only in the lifetime total. The
    /// result does not depend on the order of the deltas.
    public mutating func addSpend(_ delta: SpendDelta) {
        if delta.periodStart > periodStart {
            periodStart = delta.periodStart
            spend = delta.cost
        } else if delta.periodStart == periodStart {
            spend += delta.cost
        }
        totalSpend += delta.cost
    }
}

/// Who is calling, once authenticated.
public enum Principal: Sendable, Equatable {
    /// No admin key is configured: Switchyard runs open for local single-user use.
    case open
    case admin
    case key(APIKey)

    /// The key, when the caller is a stored key.
    public var key: APIKey? { if case .key(let key) = self { return key } else { return nil } }

    /// Whether this caller may change the gateway itself (register, remove or restart downstream servers, which
    /// runs commands on the host; rewrite aliases every key routes through): the admin key, or anyone when the
    /// gateway runs open.
    public var canAdministerGateway: Bool {
        switch self {
        case .open, .admin: true
        case .key: false
        }
    }

    /// Whether this caller may manage keys.
    public var canManageKeys: Bool {
        switch self {
        case .open, .admin: true
        case .key(let key): key.kind == .provisioning
        }
    }

    /// Whether this caller may see and call the exposed tool `tool`, of downstream `server` (nil for our own tools).
    public func allowsTool(_ tool: String, server: String?) -> Bool { key?.allowsTool(tool, server: server) ?? true }

    /// Whether this caller may see and use downstream `server` at all (its resources and prompts).
    public func allowsServer(_ server: String) -> Bool { key?.allowsServer(server) ?? true }
}
