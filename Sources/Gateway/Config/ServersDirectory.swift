import FoundationEssentials
import JSON
import MCP
import Routing

/// The `servers.d/` directory: one JSON file per downstream server (its name is the file name), or a file holding a
/// Claude Desktop / Cursor style `{"mcpServers": {…}}` object defining several. Invalid files are reported and
/// skipped; every valid server still loads.
public struct ServersDirectory {
    public let path: String
    public let environment: [String: String]

    public init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    /// What loading found.
    public struct Loaded {
        public var servers: [DownstreamConfig] = []
        public var issues: [ConfigIssue] = []
    }

    /// The `.json` files, sorted (hidden and editor temp files skipped).
    public func files() throws -> [String] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory else { throw ConfigIssue(file: path, field: nil, message: "is not a directory") }
        return try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
    }

    /// Reads and validates every file.
    public func load() -> Loaded {
        var loaded = Loaded()
        let names: [String]
        do {
            names = try files()
        } catch let issue as ConfigIssue {
            loaded.issues.append(issue)
            return loaded
        } catch {
            loaded.issues.append(
                ConfigIssue(file: path, field: nil, message: "cannot list directory: \(FileErrorText.describe(error))"))
            return loaded
        }
        let parser = ServerEntryParser(environment: environment)
        var seen: [String: String] = [:]
        for name in names {
            let file = URL(fileURLWithPath: path).appendingPathComponent(name).path
            let entries: [(String, JSON, String)]
            do {
                entries = try Self.entries(in: file, fileName: name)
            } catch let issue as ConfigIssue {
                loaded.issues.append(issue)
                continue
            } catch {
                loaded.issues.append(ConfigIssue(file: file, field: nil, message: "\(error)"))
                continue
            }
            for (serverName, entry, prefix) in entries {
                do {
                    let config = try parser.parse(name: serverName, entry: entry, file: file, fieldPrefix: prefix)
                    if let other = seen[serverName] {
                        loaded.issues.append(
                            ConfigIssue(
                                file: file, field: prefix.isEmpty ? nil : String(prefix.dropLast()),
                                message: "server \(serverName) is already defined in \(other); this one is ignored"))
                        continue
                    }
                    seen[serverName] = file
                    loaded.servers.append(config)
                } catch {
                    loaded.issues.append(error)
                }
            }
        }
        return loaded
    }

    /// The server entries a file holds: (name, entry, field prefix for messages).
    static func entries(in file: String, fileName: String) throws -> [(String, JSON, String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ConfigIssue(file: file, field: nil, message: "cannot read: \(FileErrorText.describe(error))")
        }
        let json: JSON
        do {
            json = try JSON.parse(Array(data), limits: JSONLimits(maxDepth: 64, maxBytes: 4 << 20))
        } catch {
            throw ConfigIssue(file: file, field: nil, message: error.description)
        }
        if let servers = json["mcpServers"] ?? json["servers"] {
            guard let map = servers.objectValue else {
                throw ConfigIssue(
                    file: file, field: "mcpServers", message: "must be an object mapping server names to entries")
            }
            return map.map { ($0.key, $0.value, "mcpServers.\($0.key).") }
        }
        return [(String(fileName.dropLast(".json".count)), json, "")]
    }
}
