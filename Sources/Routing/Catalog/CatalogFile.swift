import JSON

/// The shipped `catalog.json`, read: `{"as_of": "YYYY-MM-DD", "note": "…", "models": [{"id": "provider/model", …}]}`.
/// Entries use the same fields as `models` in settings (``ModelOverride``) plus `id` and `listed_as`.
struct CatalogFile {
    /// The day the prices were last checked.
    var asOf: String
    var models: [ModelInfo]
    /// Dated snapshot names a provider's `/models` reports, mapped to the catalog entry they stand for
    /// (`anthropic/claude-opus-4-1-20250805` → `anthropic/claude-opus-4-1`).
    var snapshots: [ModelID: ModelID]

    /// Reads the file. `name` only labels errors.
    static func parse(_ bytes: [UInt8], name: String) throws(SettingsError) -> CatalogFile {
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw SettingsError("\(name): \(error)")
        }
        do throws(SettingsError) {
            return try read(root)
        } catch {
            throw SettingsError("\(name): \(error.message)")
        }
    }

    private static func read(_ root: JSON) throws(SettingsError) -> CatalogFile {
        let reader = try SettingsReader(root, path: "")
        try reader.rejectUnknown(["as_of", "note", "models"])
        let asOf = try reader.requiredString("as_of")
        guard CatalogDate.unixTime(of: asOf) != nil else { throw reader.error("as_of", "must be a date written YYYY-MM-DD") }
        // The note is for people reading the file; it is only checked to be text.
        _ = try reader.string("note")
        var models: [ModelInfo] = []
        var seen: Set<ModelID> = []
        var snapshots: [ModelID: ModelID] = [:]
        for (index, element) in try reader.array("models").enumerated() {
            let entry = try SettingsReader(element, path: reader.field("models[\(index)]"))
            try entry.rejectUnknown(ModelOverride.fieldNames.union(["id", "listed_as"]))
            guard let id = try entry.modelID("id") else { throw entry.error("id", "is required (provider/model)") }
            guard seen.insert(id).inserted else { throw entry.error("id", "\"\(id)\" appears twice") }
            // Shipped entries start unpriced; an entry that omits its prices stays marked unknown.
            let base = ModelInfo(id: id, isPricingKnown: false)
            models.append(try ModelOverride(reader: entry).applied(to: base))
            for name in try entry.strings("listed_as") ?? [] {
                snapshots[ModelID(provider: id.provider, model: name)] = id
            }
        }
        for snapshot in snapshots.keys where seen.contains(snapshot) {
            throw SettingsError("models: \"\(snapshot)\" is both an entry and another entry's listed_as name")
        }
        return CatalogFile(asOf: asOf, models: models, snapshots: snapshots)
    }
}

/// `YYYY-MM-DD` to Unix time, without a formatter (the catalog needs one fixed, reproducible `created` stamp).
enum CatalogDate {
    /// Midnight UTC of `text`, or `nil` when it is not a valid `YYYY-MM-DD` date.
    static func unixTime(of text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        // Howard Hinnant's days_from_civil: counts days in eras of 400 years, with years starting in March so
        // the leap day falls at the end.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
