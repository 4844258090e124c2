import ArgumentParser
import Gateway

extension Switchyard {
    struct Usage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requests, errors, tokens and spend per key, model, provider, tag, day, face or status.",
            discussion: """
                Reads the usage table of the database directly; a running server writes its rows within about \
                50 ms, so recent requests are included. With --by tag a request counts once per tag.
                """)

        @Option(help: "Group by key, model, provider, tag, day, face or status.")
        var by = "model"

        @Option(help: "How far back to look, in hours (default 720: 30 days).")
        var hours: Double = 24 * 30

        @OptionGroup var admin: AdminOptions

        @Flag(help: "Print JSON (the usage_summary tool's shape) instead of a table.")
        var json = false

        func validate() throws {
            guard OfflineAdmin.usageGroupings.contains(by) else {
                throw ValidationError("--by must be one of \(OfflineAdmin.usageGroupings.joined(separator: ", "))")
            }
            guard hours > 0, hours.isFinite else { throw ValidationError("--hours must be a positive number") }
        }

        func run() throws {
            printOutput(try admin.admin(readOnly: true).usage(groupBy: by, hours: hours), json: json)
        }
    }
}
