import JSON

extension APIKey {
    /// The fields a client may set at creation or in an update.
    static let settableFields: Set<String> = [
        "name", "kind", "credit_limit", "reset_budget_interval", "allowed_models", "rpm_limit", "tpm_limit",
        "max_in_flight", "expires_at", "tags", "allowed_servers", "allowed_tools", "disabled",
    ]

    /// Applies `fields` (creation or PATCH): every field is checked before anything changes, problems name the
    /// field. `null` clears an optional limit.
    mutating func apply(_ fields: JSONObject, creating: Bool) throws(SettingsError) {
        let reader = SettingsReader(fields, path: "")
        try reader.rejectUnknown(Self.settableFields)
        var copy = self
        if let name = try reader.string("name") {
            guard !name.isEmpty, name.count <= 200 else { throw reader.error("name", "must be 1 to 200 characters") }
            copy.name = name
        } else if creating {
            throw reader.error("name", "is required")
        }
        if let kindText = try reader.string("kind") {
            guard let kind = KeyKind(rawValue: kindText), kind != .admin else {
                throw reader.error("kind", "must be \"api\" or \"provisioning\"")
            }
            guard creating || kind == self.kind else { throw reader.error("kind", "cannot be changed; create a new key") }
            copy.kind = kind
        }
        if fields.keys.contains("credit_limit") { copy.creditLimit = try reader.double("credit_limit", range: 0...1e12) }
        if let interval = try reader.string("reset_budget_interval") {
            guard let value = BudgetInterval(rawValue: interval) else {
                throw reader.error("reset_budget_interval", "must be one of daily, weekly, monthly, never")
            }
            copy.resetInterval = value
        }
        if fields.keys.contains("rpm_limit") { copy.rpmLimit = try reader.int("rpm_limit", range: 1...100_000_000) }
        if fields.keys.contains("tpm_limit") { copy.tpmLimit = try reader.int("tpm_limit", range: 1...1_000_000_000_000) }
        if fields.keys.contains("max_in_flight") { copy.maxInFlight = try reader.int("max_in_flight", range: 1...1_000_000) }
        if fields.keys.contains("expires_at") { copy.expiresAt = try reader.double("expires_at", range: 0...1e11) }
        for (key, path) in [
            ("allowed_models", \APIKey.allowedModels), ("tags", \.tags), ("allowed_servers", \.allowedServers),
            ("allowed_tools", \.allowedTools),
        ] {
            if let list = try reader.strings(key) {
                guard list.allSatisfy({ !$0.isEmpty }) else { throw reader.error(key, "must not contain empty strings") }
                copy[keyPath: path] = list
            }
        }
        if let disabled = try reader.bool("disabled") { copy.disabled = disabled }
        self = copy
    }

    /// The key as management APIs show it: never the secret or its full hash.
    public func json(remaining: Double?, inFlight: Int) -> JSON {
        var object: JSONObject = [
            "id": .string(id), "api_key_id_hash": .string(id), "name": .string(name), "kind": .string(kind.rawValue),
            "reset_budget_interval": .string(resetInterval.rawValue),
            "allowed_models": .array(allowedModels.map(JSON.string)), "tags": .array(tags.map(JSON.string)),
            "allowed_servers": .array(allowedServers.map(JSON.string)),
            "allowed_tools": .array(allowedTools.map(JSON.string)),
            "disabled": .bool(disabled), "created_at": .double(createdAt),
            "spend": .double(spend), "period_start": .double(periodStart), "total_spend": .double(totalSpend),
            "requests_in_flight": .int(Int64(inFlight)),
        ]
        object["credit_limit"] = creditLimit.map(JSON.double) ?? .null
        object["remaining"] = remaining.map(JSON.double) ?? .null
        object["rpm_limit"] = rpmLimit.map { .int(Int64($0)) } ?? .null
        object["tpm_limit"] = tpmLimit.map { .int(Int64($0)) } ?? .null
        object["max_in_flight"] = maxInFlight.map { .int(Int64($0)) } ?? .null
        object["expires_at"] = expiresAt.map(JSON.double) ?? .null
        return .object(object)
    }
}
