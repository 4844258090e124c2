// Command-line options, parsed by hand so the benchmark needs nothing beyond this package.

import BenchSupport
import Foundation

struct Options {
    var binary = ".build/release/switchyard"
    var echoServer = ".build/release/bench-echo-server"
    var calls = 20_000
    /// Requests kept outstanding (stdio) and connections (HTTP) in the concurrent runs.
    var window = 16
    /// Baseline and gateway alternate in this many rounds, so background load hits both alike.
    var rounds = 10

    static let usage = """
        usage: switchyard-bench [--binary PATH] [--echo-server PATH] [--calls N] [--in-flight N] [--rounds N]

        Measures tools/call through Switchyard against the same downstream called directly, in the same run:
          stdio  bench-echo-server directly vs `switchyard stdio` in front of three of them (sequential, N in flight)
          HTTP   `switchyard serve`: /healthz (no MCP work) vs tools/call at /mcp (sequential, N connections)
          memory VmRSS of each gateway process after its runs (the downstream servers are not counted)

          --binary PATH       the switchyard executable (default .build/release/switchyard)
          --echo-server PATH  the downstream server (default .build/release/bench-echo-server)
          --calls N           measured calls per figure, after warm-up (default 20000)
          --in-flight N       outstanding requests / concurrent connections (default 16)
          --rounds N          baseline and gateway alternate in N rounds of calls/N each (default 10)
        """

    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var options = Options()
        var rest = arguments.dropFirst()[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(usage)") }
            return next
        }
        func positive(_ flag: String) throws(BenchError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 else {
                throw BenchError("\(flag) needs a positive integer, not \(text)")
            }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--binary": options.binary = try value(flag)
            case "--echo-server": options.echoServer = try value(flag)
            case "--calls": options.calls = try positive(flag)
            case "--in-flight": options.window = try positive(flag)
            case "--rounds": options.rounds = try positive(flag)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument \(flag)\n\(usage)")
            }
        }
        options.binary = absolute(options.binary)
        options.echoServer = absolute(options.echoServer)
        // Whole calls per connection in every round of the concurrent HTTP runs.
        let unit = options.window * options.rounds
        options.calls = max(options.calls / unit, 1) * unit
        return options
    }

    /// Warm-up calls before each measured run: enough to fault in code paths and grow buffers.
    var warmup: Int { max(500, calls / 10) }
}

/// `path` made absolute against the working directory (the gateway runs the echo server from its own cwd).
func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
