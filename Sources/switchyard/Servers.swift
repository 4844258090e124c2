import ArgumentParser
import Gateway
import JSON
import MCP

extension Switchyard {
    struct Servers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which downstream servers would load from servers.d, with validation errors.")

        @Option(name: .long, help: "Directory of downstream server files.")
        var serversDir = "./servers.d"

        @Flag(name: .long, help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let loaded = ServersDirectory(path: serversDir, environment: Environment.current()).load()
            if json {
                let output: JSON = [
                    "servers": .array(loaded.servers.map(Self.describe)),
                    "issues": .array(
                        loaded.issues.map {
                            [
                                "file": .string($0.file), "field": $0.field.map(JSON.string) ?? .null,
                                "message": .string($0.message),
                            ]
                        }),
                ]
                print(output.prettyString())
            } else {
                if loaded.servers.isEmpty && loaded.issues.isEmpty { print("no servers in \(serversDir)") }
                for server in loaded.servers {
                    let target: String
                    switch server.transport {
                    case let .stdio(command, arguments, _, _): target = ([command] + arguments).joined(separator: " ")
                    case let .http(url, _): target = url
                    }
                    print("\(server.name)\t\(server.enabled ? "enabled" : "disabled")\t\(server.transportKind)\t\(target)")
                }
                for issue in loaded.issues { print("error: \(issue)") }
            }
            if !loaded.issues.isEmpty { throw ExitCode(2) }
        }

        static func describe(_ server: DownstreamConfig) -> JSON {
            var object: JSONObject = [
                "name": .string(server.name), "enabled": .bool(server.enabled), "transport": .string(server.transportKind),
            ]
            switch server.transport {
            case let .stdio(command, arguments, environment, cwd):
                object["command"] = .string(command)
                object["args"] = .array(arguments.map(JSON.string))
                // Values may be secrets: show names only.
                object["env"] = .array(environment.keys.sorted().map(JSON.string))
                if let cwd { object["cwd"] = .string(cwd) }
            case let .http(url, headers):
                object["url"] = .string(url)
                object["headers"] = .array(headers.keys.sorted().map(JSON.string))
            }
            object["file"] = server.sourceFile.map(JSON.string) ?? .null
            return .object(object)
        }
    }
}
