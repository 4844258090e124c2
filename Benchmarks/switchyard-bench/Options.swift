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
        var arguments = Arguments(arguments, usage: usage)
        while let flag = arguments.nextFlag() {
            switch flag {
            case "--binary": options.binary = try arguments.value(flag)
            case "--echo-server": options.echoServer = try arguments.value(flag)
            case "--calls": options.calls = try arguments.positive(flag)
            case "--in-flight": options.window = try arguments.positive(flag)
            case "--rounds": options.rounds = try arguments.positive(flag)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw arguments.unknown(flag)
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
