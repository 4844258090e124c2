/// Keys and their limits, enforced exactly on one thread: authentication (hash lookup, constant-time compare),
/// model permissions, in-flight, rpm and tpm limits, and budgets with reservations — a request reserves its
/// worst-case cost before any upstream call and settles to the actual cost after, so concurrent requests overspend
/// a budget by at most one request's estimate. Lookups are served from memory kept in step with the `KeyStore`.
///
/// Other processes may share the store: `reload` (which the gateway calls every second) brings in the keys they
/// created, changed or revoked and the spend they wrote, so a budget shared by several processes is overspent by
/// at most what the others spent since the last reload.
///
/// Confined to the router's thread (the event loop).
public final class Governor {
    /// The admin secret's hash; nil means no admin key is configured and Switchyard runs open.
    private let adminHash: [UInt8]?
    private var keysByHash: [String: APIKey] = [:]
    private var hashByID: [String: String] = [:]
    private var windows: [String: RateWindow] = [:]
    private var inFlight: [String: Int] = [:]
    private var reserved: [String: Double] = [:]
    /// Counts this process's changes to the set of keys (create, update, revoke and their undos)…
    private var mutations: UInt64 = 0
    /// …and the count at each key's latest change, so a reload keeps what changed here after it was submitted.
    /// Emptied whenever no reload is outstanding (every later reload's mark is above every entry).
    private var lastMutation: [String: UInt64] = [:]
    private var reloadsOutstanding = 0
    let store: KeyStore?
    let clock: RoutingClock

    /// - Parameter adminSecret: from settings or `SWITCHYARD_ADMIN_KEY`; nil runs open.
    public init(adminSecret: String?, store: KeyStore?, clock: RoutingClock = .system) throws {
        adminHash = adminSecret.map { Array(SHA256.hex($0).utf8) }
        self.store = store
        self.clock = clock
        for key in try store?.loadKeys() ?? [] { index(key) }
    }

    /// Whether every request needs a key.
    public var isGoverned: Bool { adminHash != nil }

    /// Every stored key, by name then id.
    public var keys: [APIKey] { keysByHash.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) } }

    public func key(id: String) -> APIKey? { hashByID[id].flatMap { keysByHash[$0] } }

    /// Who `secret` (a bearer token) belongs to. Open mode accepts anything, including nothing.
    public func authenticate(_ secret: String?) -> Result<Principal, RoutingError> {
        guard let adminHash else { return .success(.open) }
        guard let secret, !secret.isEmpty else {
            return .failure(Self.unauthorized("An API key is required: send Authorization: Bearer sk-sy-…"))
        }
        let hash = SHA256.hex(secret)
        let hashBytes = Array(hash.utf8)
        if constantTimeEquals(hashBytes, adminHash) { return .success(.admin) }
        // The dictionary finds the candidate by the hash of the secret (not the secret), and the final comparison
        // runs in constant time, so timing reveals nothing useful about valid keys.
        guard let key = keysByHash[hash], constantTimeEquals(Array(key.secretHash.utf8), hashBytes) else {
            return .failure(Self.unauthorized("Invalid API key."))
        }
        if let refusal = refusal(of: key) { return .failure(refusal) }
        return .success(.key(key))
    }

    /// Why a stored key may not be used now (disabled or expired), or nil. Checked on every use, not only when a
    /// session starts, so a long-lived stdio or MCP session stops with its key.
    public func refusal(of key: APIKey) -> RoutingError? {
        if key.disabled { return Self.unauthorized("API key \(key.id) (\(key.name)) is disabled.") }
        if let expiry = key.expiresAt, clock.wallTime() >= expiry {
            return Self.unauthorized("API key \(key.id) (\(key.name)) has expired.")
        }
        return nil
    }

    /// A 403 when the caller's key may not use one of `names` (the requested model, fallbacks, aliases); checked
    /// before anything else about the models, so the key's own rule is what its holder hears first.
    public func modelRefusal(_ principal: Principal, names: [String]) -> RoutingError? {
        guard case .key(let stored) = principal, let key = key(id: stored.id) else { return nil }
        return Self.modelRefusal(key, names: names)
    }

    private static func modelRefusal(_ key: APIKey, names: [String]) -> RoutingError? {
        guard let name = names.first(where: { !key.allowsModel($0) }) else { return nil }
        return RoutingError(
            status: 403, type: "permission_error", code: "model_not_allowed",
            message: "API key \(key.id) may not use \"\(name)\" (allowed: \(key.allowedModels.joined(separator: ", "))).",
            parameter: "model")
    }

    /// Whether the caller's key has a budget: its calls may then go only to models whose price is known, since a
    /// call whose cost cannot be counted would not count against it.
    public func hasBudget(_ principal: Principal) -> Bool {
        guard case .key(let stored) = principal else { return false }
        return key(id: stored.id)?.creditLimit != nil
    }

    /// Checks a model call before anything is sent, and reserves `estimate` USD of the key's budget.
    /// `names` are the requested model, fallbacks and aliases.
    public func admit(_ principal: Principal, names: [String], estimate: Double) -> Result<Admission, RoutingError> {
        guard case .key(let stored) = principal else { return .success(Admission(keyID: nil, reserved: 0)) }
        guard var key = key(id: stored.id) else { return .failure(Self.unauthorized("API key \(stored.id) was revoked.")) }
        if let refusal = refusal(of: key) { return .failure(refusal) }
        guard key.kind != .provisioning else {
            return .failure(
                RoutingError(
                    status: 403, type: "permission_error", code: "provisioning_key",
                    message: "Provisioning keys manage keys and cannot call models."))
        }
        if let refusal = Self.modelRefusal(key, names: names) { return .failure(refusal) }
        let now = clock.now()
        if let limit = key.maxInFlight, inFlight[key.id, default: 0] >= limit {
            return .failure(
                Self.tooMany("API key \(key.id) already has \(limit) requests in flight (max_in_flight).", retryAfter: 1))
        }
        // Mutated in place (never copied out of the dictionary): a copy would duplicate the window's arrays on
        // every request.
        windows[key.id, default: RateWindow()].prune(now: now)
        if let refusal = rateRefusal(key, now: now) { return .failure(refusal) }
        rollPeriod(&key)
        if let limit = key.creditLimit {
            let committed = key.spend + reserved[key.id, default: 0]
            // Admitted while anything is left: at most one request can cross the limit, by at most its estimate.
            guard committed < limit else {
                return .failure(
                    RoutingError(
                        status: 402, type: "insufficient_quota", code: "budget_exceeded",
                        message:
                            "API key \(key.id) has spent its budget of $\(limit) for this \(key.resetInterval.periodName) (spent $\(Self.money(key.spend)), $\(Self.money(reserved[key.id, default: 0])) reserved by requests in flight)."
                    ))
            }
        }
        windows[key.id]?.addRequest(at: now)
        inFlight[key.id, default: 0] += 1
        reserved[key.id, default: 0] += estimate
        store(key)
        return .success(Admission(keyID: key.id, reserved: estimate))
    }

    /// Ends an admitted request: releases its reservation and in-flight slot, adds its actual cost to the spend
    /// counter (the same figure as its usage row) and its tokens to the tpm window.
    public func settle(_ admission: Admission, cost: Double, tokens: Int) {
        guard let id = admission.keyID, !admission.settled else { return }
        admission.settled = true
        inFlight[id] = max(0, inFlight[id, default: 0] - 1)
        reserved[id] = max(0, reserved[id, default: 0] - admission.reserved)
        windows[id, default: RateWindow()].addTokens(tokens, at: clock.now())
        guard var key = key(id: id) else {
            // Revoked meanwhile: nothing left to charge, and once its last request is done nothing left to track.
            if inFlight[id] == 0 { forgetLimits(of: id) }
            return
        }
        rollPeriod(&key)
        key.spend += cost
        key.totalSpend += cost
        store(key)
        // A free request changes no counter; the store learns of a new period from the next paid one.
        if cost != 0 { store?.recordSpend(keyID: id, cost: cost, periodStart: key.periodStart) }
    }

    /// The rpm/tpm refusal for `key` now, if any. A separate function so the window read here is released before
    /// `admit` appends to it (a live copy would make that append duplicate the window's arrays).
    private func rateRefusal(_ key: APIKey, now: Double) -> RoutingError? {
        guard let window = windows[key.id] else { return nil }
        if let limit = key.rpmLimit, window.requestCount >= limit {
            let wait = (window.oldestRequest ?? now) + RateWindow.length - now
            return Self.tooMany(
                "API key \(key.id) reached its limit of \(limit) requests per minute.", retryAfter: max(wait, 0.001))
        }
        if let limit = key.tpmLimit, window.tokenCount >= limit {
            let wait = window.secondsUntilTokensBelow(limit, now: now)
            return Self.tooMany(
                "API key \(key.id) reached its limit of \(limit) tokens per minute.", retryAfter: max(wait, 0.001))
        }
        return nil
    }

    /// Budget left in the current period (nil when unlimited), after settled spend and in-flight reservations.
    public func remainingBudget(keyID: String) -> Double? {
        guard var key = key(id: keyID), let limit = key.creditLimit else { return nil }
        rollPeriod(&key)
        return max(0, limit - key.spend - reserved[keyID, default: 0])
    }

    /// Requests in flight for a key.
    public func requestsInFlight(keyID: String) -> Int { inFlight[keyID, default: 0] }

    /// Replaces the keys in memory with the stored ones, so keys that other processes (another gateway process,
    /// the command line) created, changed, disabled or revoked take effect here; each key's spend becomes the
    /// stored spend plus what this process spent that is not written yet. A key this process creates, changes or
    /// revokes while the read runs keeps its state here (the read may predate the change). Reservations, requests
    /// in flight and rate windows stay; those of keys that are gone are dropped. `completion` runs on the loop
    /// with the store's error, if any (the keys are then left as they were). Without a store there is nothing to
    /// reload.
    public func reload(completion: ((Error?) -> Void)? = nil) {
        guard let store else {
            completion?(nil)
            return
        }
        // Changes made here up to now reach the store before the read (the store runs operations in order).
        let mark = mutations
        reloadsOutstanding += 1
        store.reloadKeys { [self] result in
            reloadsOutstanding -= 1
            switch result {
            case .success(let snapshot):
                replaceKeys(with: snapshot, keepingChangesAfter: mark)
                completion?(nil)
            case .failure(let error):
                completion?(error)
            }
            if reloadsOutstanding == 0 { lastMutation = [:] }
        }
    }

    // MARK: Internal

    /// Adds or replaces a key: a change made by this process (creating, updating, undoing a failed revoke), so it
    /// is recorded for `reload`.
    func index(_ key: APIKey) {
        noteMutation(of: key.id)
        if let old = hashByID[key.id], old != key.secretHash { keysByHash[old] = nil }
        keysByHash[key.secretHash] = key
        hashByID[key.id] = key.secretHash
    }

    /// Removes a key: a change made by this process (revoking, undoing a failed create), recorded for `reload`.
    func unindex(id: String) -> APIKey? {
        noteMutation(of: id)
        guard let hash = hashByID.removeValue(forKey: id) else { return nil }
        return keysByHash.removeValue(forKey: hash)
    }

    private func noteMutation(of id: String) {
        mutations += 1
        lastMutation[id] = mutations
    }

    private func store(_ key: APIKey) { keysByHash[key.secretHash] = key }

    /// The body of `reload`: the stored keys, except those this process changed after the read was submitted
    /// (`mark`), which keep their state here — present or absent.
    private func replaceKeys(with snapshot: KeySnapshot, keepingChangesAfter mark: UInt64) {
        var next: [String: APIKey] = [:]
        for stored in snapshot.keysWithUnwrittenSpend where lastMutation[stored.id, default: 0] <= mark {
            // The stored counters may be of a period that has ended (nobody spent since): show this one's.
            var key = stored
            rollPeriod(&key)
            next[key.id] = key
        }
        for (id, count) in lastMutation where count > mark { next[id] = key(id: id) }
        keysByHash = [:]
        hashByID = [:]
        for key in next.values {
            keysByHash[key.secretHash] = key
            hashByID[key.id] = key.secretHash
        }
        let gone = Set(inFlight.keys).union(reserved.keys).union(windows.keys).filter { next[$0] == nil }
        for id in gone { forgetLimits(of: id) }
    }

    /// Drops the limits' state of a key that no longer exists. A request still in flight for it settles without
    /// finding its key (it is not charged), so nothing else is needed.
    private func forgetLimits(of id: String) {
        inFlight[id] = nil
        reserved[id] = nil
        windows[id] = nil
    }

    private func rollPeriod(_ key: inout APIKey) {
        let start = key.resetInterval.periodStart(containing: clock.wallTime())
        if start > key.periodStart {
            key.periodStart = start
            key.spend = 0
        }
    }

    static func unauthorized(_ message: String) -> RoutingError {
        RoutingError(status: 401, type: "authentication_error", code: "invalid_api_key", message: message)
    }

    static func tooMany(_ message: String, retryAfter: Double) -> RoutingError {
        RoutingError(
            status: 429, type: "rate_limit_error", code: "key_rate_limited", message: message, retryAfterSeconds: retryAfter)
    }

    static func money(_ value: Double) -> String { String((value * 1_000_000).rounded() / 1_000_000) }
}

/// A model call's claim on its key's limits, settled exactly once.
public final class Admission {
    public let keyID: String?
    public let reserved: Double
    fileprivate(set) var settled = false

    init(keyID: String?, reserved: Double) {
        self.keyID = keyID
        self.reserved = reserved
    }
}

extension BudgetInterval {
    var periodName: String {
        switch self {
        case .daily: "day"
        case .weekly: "week"
        case .monthly: "month"
        case .never: "key's lifetime"
        }
    }
}
