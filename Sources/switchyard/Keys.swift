import ArgumentParser
import Gateway
import JSON

extension Switchyard {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list, change and revoke API keys directly in the database.",
            discussion: """
                These commands need no running server: they open the database (the settings' "database", or \
                --database) themselves, and check fields exactly as POST/PATCH /v1/keys and the keys_* tools do.

                Running Switchyard processes on the same database reload keys every second, so keys created, \
                changed or revoked here take effect there within about a second.
                """,
            subcommands: [Create.self, List.self, Update.self, Revoke.self])
    }
}

/// The key fields both `create` and `update` take, as the API names them.
struct KeyFieldOptions: ParsableArguments {
    @Option(help: "A name for people (1 to 200 characters).")
    var name: String?

    @Option(help: "api (calls models and tools) or provisioning (manages keys). Fixed at creation.")
    var kind: String?

    @Option(help: "Budget in USD per reset period (unlimited when not given).")
    var creditLimit: Double?

    @Option(help: "When spend starts again from zero: daily, weekly, monthly or never.")
    var reset: String?

    @Option(help: "A model id or alias glob the key may use, e.g. 'openai/*' (repeatable; all when none).")
    var allowedModel: [String] = []

    @Option(help: "Requests per minute.")
    var rpm: Int?

    @Option(help: "Tokens per minute.")
    var tpm: Int?

    @Option(help: "Requests in flight at once.")
    var maxInFlight: Int?

    @Option(help: "Expiry time, in unix seconds.")
    var expiresAt: Double?

    @Option(help: "A tag added to every usage row of the key (repeatable).")
    var tag: [String] = []

    @Option(help: "A downstream MCP server glob the key may use (repeatable; all when none).")
    var allowedServer: [String] = []

    @Option(help: "An exposed tool name glob the key may call, e.g. 'time__*' (repeatable; all when none).")
    var allowedTool: [String] = []

    /// The given options as management fields; the governor validates them.
    var fields: JSONObject {
        var fields: JSONObject = [:]
        if let name { fields["name"] = .string(name) }
        if let kind { fields["kind"] = .string(kind) }
        if let creditLimit { fields["credit_limit"] = .double(creditLimit) }
        if let reset { fields["reset_budget_interval"] = .string(reset) }
        if let rpm { fields["rpm_limit"] = .int(Int64(rpm)) }
        if let tpm { fields["tpm_limit"] = .int(Int64(tpm)) }
        if let maxInFlight { fields["max_in_flight"] = .int(Int64(maxInFlight)) }
        if let expiresAt { fields["expires_at"] = .double(expiresAt) }
        for (field, values) in [
            ("allowed_models", allowedModel), ("tags", tag), ("allowed_servers", allowedServer),
            ("allowed_tools", allowedTool),
        ] where !values.isEmpty {
            fields[field] = .array(values.map(JSON.string))
        }
        return fields
    }
}

extension Switchyard.Keys {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret (shown only this once) and id.",
            discussion: "Running servers on the same database see the new key within about a second.")

        @OptionGroup var fieldOptions: KeyFieldOptions
        @OptionGroup var admin: AdminOptions

        @Flag(help: "Print the API's JSON (with the secret in \"key\") instead of text.")
        var json = false

        func validate() throws {
            guard fieldOptions.name != nil else { throw ValidationError("--name is required") }
        }

        func run() throws {
            printOutput(try admin.admin().createKey(fieldOptions.fields), json: json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys: id, name, kind, spend and budget, reset interval, disabled.")

        @OptionGroup var admin: AdminOptions

        @Flag(help: "Print the API's JSON instead of a table.")
        var json = false

        func run() throws {
            printOutput(try admin.admin(readOnly: true).listKeys(), json: json)
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a key's fields (all or nothing).",
            discussion:
                "A list option replaces the whole list. Running servers on the same database see the change within about a second."
        )

        @Argument(help: "The key id (key_…), as `switchyard keys list` shows it.")
        var id: String

        @OptionGroup var fieldOptions: KeyFieldOptions

        @Flag(help: "Refuse the key from now on.")
        var disable = false
        @Flag(help: "Accept the key again.")
        var enable = false
        @Flag(help: "Remove the budget.")
        var noCreditLimit = false
        @Flag(help: "Remove the requests-per-minute limit.")
        var noRpm = false
        @Flag(help: "Remove the tokens-per-minute limit.")
        var noTpm = false
        @Flag(help: "Remove the in-flight limit.")
        var noMaxInFlight = false
        @Flag(help: "Remove the expiry time.")
        var noExpiry = false
        @Flag(help: "Allow every model.")
        var noAllowedModels = false
        @Flag(help: "Remove every tag.")
        var noTags = false
        @Flag(help: "Allow every downstream server.")
        var noAllowedServers = false
        @Flag(help: "Allow every tool.")
        var noAllowedTools = false

        @OptionGroup var admin: AdminOptions

        @Flag(help: "Print the API's JSON instead of text.")
        var json = false

        /// A `--no-…` flag: it clears one field (a limit to `null`, a list to `[]`) and contradicts the option that
        /// sets that field.
        private struct Clearing {
            let isSet: Bool
            let flag: String
            let field: String
            let cleared: JSON
            let option: String
            let optionGiven: Bool
        }

        private var clearing: [Clearing] {
            let given = fieldOptions
            return [
                Clearing(
                    isSet: noCreditLimit, flag: "--no-credit-limit", field: "credit_limit", cleared: .null,
                    option: "--credit-limit", optionGiven: given.creditLimit != nil),
                Clearing(
                    isSet: noRpm, flag: "--no-rpm", field: "rpm_limit", cleared: .null, option: "--rpm",
                    optionGiven: given.rpm != nil),
                Clearing(
                    isSet: noTpm, flag: "--no-tpm", field: "tpm_limit", cleared: .null, option: "--tpm",
                    optionGiven: given.tpm != nil),
                Clearing(
                    isSet: noMaxInFlight, flag: "--no-max-in-flight", field: "max_in_flight", cleared: .null,
                    option: "--max-in-flight", optionGiven: given.maxInFlight != nil),
                Clearing(
                    isSet: noExpiry, flag: "--no-expiry", field: "expires_at", cleared: .null,
                    option: "--expires-at", optionGiven: given.expiresAt != nil),
                Clearing(
                    isSet: noAllowedModels, flag: "--no-allowed-models", field: "allowed_models", cleared: [],
                    option: "--allowed-model", optionGiven: !given.allowedModel.isEmpty),
                Clearing(
                    isSet: noTags, flag: "--no-tags", field: "tags", cleared: [], option: "--tag",
                    optionGiven: !given.tag.isEmpty),
                Clearing(
                    isSet: noAllowedServers, flag: "--no-allowed-servers", field: "allowed_servers", cleared: [],
                    option: "--allowed-server", optionGiven: !given.allowedServer.isEmpty),
                Clearing(
                    isSet: noAllowedTools, flag: "--no-allowed-tools", field: "allowed_tools", cleared: [],
                    option: "--allowed-tool", optionGiven: !given.allowedTool.isEmpty),
            ]
        }

        func validate() throws {
            if disable && enable { throw ValidationError("--disable and --enable contradict each other") }
            for entry in clearing where entry.isSet && entry.optionGiven {
                throw ValidationError("\(entry.flag) and \(entry.option) contradict each other")
            }
            if fields.isEmpty { throw ValidationError("nothing to change: give at least one field option") }
        }

        /// The options as management fields.
        var fields: JSONObject {
            var fields = fieldOptions.fields
            if disable || enable { fields["disabled"] = .bool(disable) }
            for entry in clearing where entry.isSet { fields[entry.field] = entry.cleared }
            return fields
        }

        func run() throws {
            printOutput(try admin.admin().updateKey(id: id, fields), json: json)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a key (its usage rows keep its id).",
            discussion: "Running servers on the same database refuse the key within about a second.")

        @Argument(help: "The key id (key_…).")
        var id: String

        @OptionGroup var admin: AdminOptions

        @Flag(help: "Print the API's JSON instead of text.")
        var json = false

        func run() throws {
            printOutput(try admin.admin().revokeKey(id: id), json: json)
        }
    }
}
