import JSON

/// What the gateway passes on from a downstream server's lists. The clients' SDKs validate every entry of a list
/// and reject the whole list for one bad entry, so a single sloppy server would break `tools/list` (and with it
/// every tool call) for all servers: entries that break the MCP schema are dropped here, with the reason, and the
/// rest of that server's list still shows. Entries without a name that have a URI are named by it instead.
enum ListEntryCheck {
    /// `items` fit to list, and a description of each dropped one.
    static func checked(_ kind: String, _ items: [JSON]) -> (kept: [JSON], dropped: [String]) {
        var kept: [JSON] = []
        var dropped: [String] = []
        var names = Set<String>()
        for item in items {
            var entry = item
            if let problem = problem(kind, &entry) {
                dropped.append(problem)
                continue
            }
            // Two entries with one name: the second could never be reached by name.
            if kind != "resource", kind != "resource template", let name = entry["name"]?.stringValue {
                guard names.insert(name).inserted else {
                    dropped.append("\(kind) \(name): listed twice")
                    continue
                }
            }
            kept.append(entry)
        }
        return (kept, dropped)
    }

    /// Why `entry` cannot be listed (nil when it can, possibly after naming it by its URI).
    private static func problem(_ kind: String, _ entry: inout JSON) -> String? {
        guard entry.objectValue != nil else { return "a \(kind) that is not an object" }
        switch kind {
        case "tool":
            guard let name = entry["name"]?.stringValue, !name.isEmpty else { return "a tool without a name" }
            guard entry["inputSchema"]?["type"]?.stringValue == "object" else {
                return "tool \(name): inputSchema must be an object schema ({\"type\": \"object\", …})"
            }
            if let output = entry["outputSchema"], output["type"]?.stringValue != "object" {
                return "tool \(name): outputSchema must be an object schema"
            }
        case "prompt":
            guard let name = entry["name"]?.stringValue, !name.isEmpty else { return "a prompt without a name" }
            if let arguments = entry["arguments"] {
                guard let list = arguments.arrayValue, list.allSatisfy({ $0["name"]?.stringValue != nil }) else {
                    return "prompt \(name): arguments must be a list of objects with a name"
                }
            }
        default:  // resources and resource templates
            let key = kind == "resource" ? "uri" : "uriTemplate"
            guard let uri = entry[key]?.stringValue, !uri.isEmpty else { return "a \(kind) without a \(key)" }
            if entry["name"]?.stringValue == nil { entry["name"] = .string(uri) }
        }
        return nil
    }
}
