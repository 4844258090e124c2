import JSON

/// Typed reads of one settings object's fields; every failure names the full path (`aliases.fast.targets[1].weight`)
/// so a user knows exactly what to fix.
public struct SettingsReader {
    public let object: JSONObject
    /// The path of this object, e.g. `providers.openai`; empty at the top level.
    public let path: String

    public init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    /// Reads `value` as an object at `path`.
    public init(_ value: JSON, path: String) throws(SettingsError) {
        guard let object = value.objectValue else {
            throw SettingsError("\(path.isEmpty ? "settings" : path): must be an object")
        }
        self.init(object, path: path)
    }

    public func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func error(_ key: String, _ problem: String) -> SettingsError { SettingsError("\(field(key)): \(problem)") }

    /// Fails on any key not in `known`, naming it (catches typos such as `stratgy`).
    public func rejectUnknown(_ known: Set<String>) throws(SettingsError) {
        for key in object.keys where !known.contains(key) {
            throw error(key, "unknown field (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
    }

    public func string(_ key: String) throws(SettingsError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw error(key, "must be a string") }
        return text
    }

    public func requiredString(_ key: String) throws(SettingsError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw error(key, "is required (a non-empty string)") }
        return text
    }

    public func strings(_ key: String) throws(SettingsError) -> [String]? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let array = value.arrayValue else { throw error(key, "must be an array of strings") }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue else { throw error("\(key)[\(index)]", "must be a string") }
            result.append(text)
        }
        return result
    }

    public func bool(_ key: String) throws(SettingsError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw error(key, "must be true or false") }
        return flag
    }

    public func int(_ key: String, range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue, range.contains(Int(number)) else {
            throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }

    public func double(_ key: String, range: ClosedRange<Double>) throws(SettingsError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue, range.contains(number) else {
            throw error(key, "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    public func modelID(_ key: String) throws(SettingsError) -> ModelID? {
        guard let text = try string(key) else { return nil }
        guard let id = ModelID(text) else { throw error(key, "must be a model id written provider/model, got \"\(text)\"") }
        return id
    }

    public func child(_ key: String) throws(SettingsError) -> SettingsReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try SettingsReader(value, path: field(key))
    }

    /// The array at `key` (empty when absent).
    public func array(_ key: String) throws(SettingsError) -> [JSON] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw error(key, "must be an array") }
        return array
    }
}
