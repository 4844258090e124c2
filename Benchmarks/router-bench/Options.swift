// Command-line options, parsed by hand so the benchmark needs nothing beyond this package.

import BenchSupport
import Foundation

struct Options {
    var binary = ".build/release/switchyard"
    var fakeProvider = ".build/release/fake-provider"
    /// Measured requests per figure (per side, per mode, per concurrency), after warm-up.
    var requests = 20_000
    /// Baseline and gateway alternate in this many rounds, so background load hits both alike.
    var rounds = 10
    /// Client counts to measure at, each client one keep-alive connection on its own thread.
    var concurrency = [1, 64]

    static let usage = """
        usage: switchyard-router-bench [--binary PATH] [--fake-provider PATH] [--requests N] [--rounds N]
                                       [--concurrency N,N,…]

        Measures POST /v1/chat/completions through `switchyard serve` (model fake/bench) against the same request
        sent to fake-provider directly (model bench), in alternating rounds of the same run:
          plain   a JSON answer; latency is the whole response
          stream  SSE (stream: true); latency to the first content event, and to the end of the stream
        at each client count, with Switchyard's CPU per request and its resident memory under the heaviest load.
        Every answer is checked (status, body, text, [DONE]): an error fails the run instead of being timed.

          --binary PATH         the switchyard executable (default .build/release/switchyard)
          --fake-provider PATH  the upstream (default .build/release/fake-provider)
          --requests N          measured requests per figure, after warm-up (default 20000)
          --rounds N            baseline and gateway alternate in N rounds of requests/N each (default 10)
          --concurrency LIST    comma-separated client counts (default 1,64)
        """

    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var options = Options()
        var arguments = Arguments(arguments, usage: usage)
        while let flag = arguments.nextFlag() {
            switch flag {
            case "--binary": options.binary = try arguments.value(flag)
            case "--fake-provider": options.fakeProvider = try arguments.value(flag)
            case "--requests": options.requests = try arguments.positive(flag)
            case "--rounds": options.rounds = try arguments.positive(flag)
            case "--concurrency": options.concurrency = try arguments.positiveList(flag)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw arguments.unknown(flag)
            }
        }
        options.binary = absolute(options.binary)
        options.fakeProvider = absolute(options.fakeProvider)
        return options
    }

    /// Requests per figure at `clients` clients: rounded up to whole requests per client in every round, so every
    /// client does the same work and no round ends with a straggler.
    func requests(clients: Int) -> Int {
        let unit = clients * rounds
        return (requests + unit - 1) / unit * unit
    }

    /// Warm-up requests before each measured phase: enough to fault in code paths, grow buffers and open the
    /// gateway's upstream connections.
    func warmup(clients: Int) -> Int { max(500, requests / 10, clients * 20) / clients * clients }

    /// The heaviest load measured: where the throughput and memory targets are checked.
    var heaviest: Int { concurrency.max() ?? 1 }
}
