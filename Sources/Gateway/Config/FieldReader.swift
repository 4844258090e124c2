import JSON

/// Typed reads of one config object's fields, each failure naming the field.
struct FieldReader {
    let object: JSONObject
    let expansion: EnvironmentExpansion
    let issue: (String?, String) -> ConfigIssue

    func string(_ key: String, expand: Bool = false) throws(ConfigIssue) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw issue(key, "must be a string") }
        return expand ? try expanded(text, key) : text
    }

    func strings(_ key: String, expand: Bool = true) throws(ConfigIssue) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let array = value.arrayValue else { throw issue(key, "must be an array of strings") }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue else { throw issue("\(key)[\(index)]", "must be a string") }
            result.append(expand ? try expanded(text, "\(key)[\(index)]") : text)
        }
        return result
    }

    func stringMap(_ key: String) throws(ConfigIssue) -> [String: String]? {
        guard let value = object[key] else { return nil }
        guard let map = value.objectValue else { throw issue(key, "must be an object of string values") }
        var result: [String: String] = [:]
        for (name, element) in map {
            let text: String
            switch element {
            case .string(let string): text = string
            case .int(let number): text = String(number)
            case .bool(let flag): text = String(flag)
            default: throw issue("\(key).\(name)", "must be a string")
            }
            result[name] = try expanded(text, "\(key).\(name)")
        }
        return result
    }

    func bool(_ key: String) throws(ConfigIssue) -> Bool? {
        guard let value = object[key] else { return nil }
        guard let flag = value.boolValue else { throw issue(key, "must be true or false") }
        return flag
    }

    func milliseconds(_ key: String) throws(ConfigIssue) -> UInt64? {
        guard let value = object[key] else { return nil }
        guard let number = value.intValue, number > 0, number <= 86_400_000 else {
            throw issue(key, "must be a whole number of milliseconds between 1 and 86400000")
        }
        return UInt64(number)
    }

    private func expanded(_ text: String, _ key: String) throws(ConfigIssue) -> String {
        do { return try expansion.expand(text) } catch { throw issue(key, error.message) }
    }
}
