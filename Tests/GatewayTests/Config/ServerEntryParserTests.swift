import JSON
import MCP
import XCTest

@testable import Gateway

final class ServerEntryParserTests: XCTestCase {
    let parser = ServerEntryParser(environment: ["TOKEN": "s3cret"])

    private func parse(_ text: String, name: String = "srv") throws -> DownstreamConfig {
        try parser.parse(name: name, entry: try JSON.parse(text), file: "servers.d/srv.json")
    }

    private func issue(_ text: String, name: String = "srv") -> ConfigIssue? {
        do {
            _ = try parse(text, name: name)
            return nil
        } catch {
            return error as? ConfigIssue
        }
    }

    func testStdioEntryWithEverything() throws {
        let config = try parse(
            #"{"command":"mcp-server-git","args":["--repository","/r"],"env":{"A":"${TOKEN}","N":3},"cwd":"/tmp","enabled":false,"tools":{"allow":["git_*"],"deny":["git_reset"]},"timeout_ms":5000,"restart":"never"}"#
        )
        XCTAssertEqual(
            config.transport,
            .stdio(
                command: "mcp-server-git", arguments: ["--repository", "/r"], environment: ["A": "s3cret", "N": "3"],
                workingDirectory: "/tmp"))
        XCTAssertFalse(config.enabled)
        XCTAssertTrue(config.exposes(tool: "git_status"))
        XCTAssertFalse(config.exposes(tool: "git_reset"))
        XCTAssertFalse(config.exposes(tool: "other"))
        XCTAssertEqual(config.timeoutMilliseconds, 5000)
        XCTAssertEqual(config.startupTimeoutMilliseconds, 5000)
        XCTAssertEqual(config.restartPolicy, .never)
    }

    func testHTTPEntryAndClineStyleKeys() throws {
        let config = try parse(
            #"{"type":"streamableHttp","url":"https://mcp.example/mcp","headers":{"Authorization":"Bearer ${TOKEN}"},"disabled":true,"autoApprove":[]}"#
        )
        XCTAssertEqual(config.transport, .http(url: "https://mcp.example/mcp", headers: ["Authorization": "Bearer s3cret"]))
        XCTAssertFalse(config.enabled)
    }

    func testErrorsNameTheField() {
        XCTAssertEqual(issue(#"{"command":5}"#)?.field, "command")
        XCTAssertEqual(issue(#"{"command":"x","args":["a",1]}"#)?.field, "args[1]")
        XCTAssertEqual(issue(#"{"command":"x","env":{"K":"${NOPE}"}}"#)?.field, "env.K")
        XCTAssertEqual(issue(#"{"command":"x","timeout_ms":-1}"#)?.field, "timeout_ms")
        XCTAssertEqual(issue(#"{"command":"x","restart":"sometimes"}"#)?.field, "restart")
        XCTAssertEqual(issue(#"{"command":"x","tools":{"allow":"x"}}"#)?.field, "tools.allow")
        XCTAssertEqual(issue(#"{"comand":"x"}"#)?.field, "comand")
        XCTAssertEqual(issue(#"{"url":"ftp://x"}"#)?.field, "url")
        XCTAssertEqual(issue(#"{"type":"sse","url":"http://x/sse"}"#)?.field, "type")
        // A space or colon in a header name would go on the wire as something else.
        XCTAssertEqual(issue(#"{"url":"http://x/mcp","headers":{"Bad Name":"x"}}"#)?.field, "headers.Bad Name")
        XCTAssertEqual(issue(#"{"url":"http://x/mcp","headers":{"X:Y":"z"}}"#)?.field, "headers.X:Y")
        XCTAssertNil(issue(#"{"url":"http://x/mcp","headers":{"X-Api-Key":"k","Authorization":"Bearer t"}}"#))
        XCTAssertNotNil(issue(#"{}"#))
        XCTAssertNotNil(issue(#"{"command":"x"}"#, name: "a/b"))
        XCTAssertEqual(issue(#"{"command":5}"#)?.description, "servers.d/srv.json: command: must be a string")
    }
}
