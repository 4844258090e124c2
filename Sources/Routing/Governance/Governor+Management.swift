import JSON

extension Governor {
    /// Creates a key from management fields. The secret (`sk-sy-…`) is returned once and never stored.
    public func createKey(
        _ fields: JSONObject, completion: @escaping (Result<(secret: String, key: APIKey), RoutingError>) -> Void
    ) {
        let secret = Self.newSecret()
        let hash = SHA256.hex(secret)
        let now = clock.wallTime()
        var key = APIKey(id: APIKey.id(forHash: hash), secretHash: hash, name: "", createdAt: now)
        do {
            try key.apply(fields, creating: true)
        } catch {
            return completion(.failure(Self.invalid(error)))
        }
        key.periodStart = key.resetInterval.periodStart(containing: now)
        index(key)
        persist(key, undo: { _ = self.unindex(id: key.id) }) { error in
            completion(error.map { .failure($0) } ?? .success((secret, key)))
        }
    }

    /// Changes a key's fields (all-or-nothing: a bad field changes nothing).
    public func updateKey(id: String, _ fields: JSONObject, completion: @escaping (Result<APIKey, RoutingError>) -> Void) {
        guard let existing = key(id: id) else { return completion(.failure(Self.notFound(id))) }
        var key = existing
        do {
            try key.apply(fields, creating: false)
        } catch {
            return completion(.failure(Self.invalid(error)))
        }
        index(key)
        persist(key, undo: { self.index(existing) }) { error in
            completion(error.map { .failure($0) } ?? .success(key))
        }
    }

    /// Deletes a key: it is refused from the next request on (its in-flight requests finish and are not charged
    /// further). Usage rows keep its id.
    public func revokeKey(id: String, completion: @escaping (Result<APIKey, RoutingError>) -> Void) {
        guard let key = unindex(id: id) else { return completion(.failure(Self.notFound(id))) }
        guard let store else { return completion(.success(key)) }
        store.deleteKey(id: id) { error in
            if let error {
                self.index(key)
                return completion(
                    .failure(
                        RoutingError(
                            status: 500, type: "server_error", code: "store_failed",
                            message: "could not revoke key \(id): \(error)")))
            }
            completion(.success(key))
        }
    }

    /// The key as JSON with its live figures.
    public func describe(_ key: APIKey) -> JSON {
        json(for: self.key(id: key.id) ?? key)
    }

    private func json(for key: APIKey) -> JSON {
        key.json(remaining: remainingBudget(keyID: key.id), inFlight: requestsInFlight(keyID: key.id))
    }

    private func persist(_ key: APIKey, undo: @escaping () -> Void, completion: @escaping (RoutingError?) -> Void) {
        guard let store else { return completion(nil) }
        store.saveKey(key) { error in
            guard let error else { return completion(nil) }
            undo()  // memory and database never disagree
            completion(
                RoutingError(
                    status: 500, type: "server_error", code: "store_failed",
                    message: "could not save key \(key.id): \(error)"))
        }
    }

    /// `sk-sy-` and 48 random base-62 characters (about 285 bits).
    static func newSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "sk-sy-" + String((0..<48).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    static func invalid(_ error: SettingsError) -> RoutingError {
        let field = error.message.split(separator: ":").first.map(String.init)
        return RoutingError(
            status: 400, type: "invalid_request_error", code: "invalid_field", message: error.message, parameter: field)
    }

    static func notFound(_ id: String) -> RoutingError {
        RoutingError(
            status: 404, type: "invalid_request_error", code: "key_not_found", message: "No API key with id \(id).",
            parameter: "id")
    }
}
