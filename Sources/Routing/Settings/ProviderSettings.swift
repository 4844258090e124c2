import JSON
import Patterns

/// Reads the `providers` section of settings:
/// `{"groq": {"kind": "openai", "base_url": "…", "api_key_env": "GROQ_API_KEY", "headers": {…}, "timeouts": {…}}}`.
/// Well-known ids (``WellKnownProvider``) fill in the kind, URL and key variable they leave out.
enum ProviderSettings {
    static let fields: Set<String> = ["kind", "base_url", "api_key_env", "headers", "timeouts", "pricing"]

    /// The providers by id, and warnings for keys that are not set.
    static func parse(_ section: SettingsReader, environment: [String: String]) throws(SettingsError)
        -> (providers: [String: ProviderConfig], warnings: [String])
    {
        var providers: [String: ProviderConfig] = [:]
        var warnings: [String] = []
        for (id, value) in section.object {
            let reader = try SettingsReader(value, path: section.field(id))
            try checkID(id, path: reader.path)
            let (provider, warning) = try parseOne(id: id, reader: reader, environment: environment)
            providers[id] = provider
            if let warning { warnings.append(warning) }
        }
        return (providers, warnings)
    }

    private static func parseOne(id: String, reader: SettingsReader, environment: [String: String])
        throws(SettingsError) -> (ProviderConfig, warning: String?)
    {
        if reader.object["api_key"] != nil {
            // The value is deliberately not echoed: it is a secret that should not end up in logs either.
            throw reader.error(
                "api_key",
                "secrets do not belong in settings files; put the key in an environment "
                    + "variable and name it with \"api_key_env\" (e.g. \"api_key_env\": \"\(defaultKeyVariable(id))\")")
        }
        try reader.rejectUnknown(fields)
        let known = WellKnownProvider.named(id)
        let kind = try self.kind(reader, default: known?.kind)
        // A well-known id keeps its own URL only while it speaks its usual format; `"groq": {"kind": "anthropic"}`
        // is somebody's proxy and gets the kind's default instead.
        let defaultURL = known.flatMap { $0.kind == kind ? $0.baseURL : nil } ?? WellKnownProvider.defaultBaseURL(kind)
        let baseURL = try reader.string("base_url") ?? defaultURL
        guard EnvironmentProviders.isHTTPURL(baseURL) else {
            throw reader.error("base_url", "must be an http:// or https:// URL, got \"\(baseURL)\"")
        }
        var apiKey: String?
        var apiKeyEnv: String?
        var warning: String?
        if let variable = try reader.string("api_key_env") {
            try checkVariableName(variable, reader: reader)
            apiKeyEnv = variable
            apiKey = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        } else if let known, !known.keyVariables.isEmpty {
            let found = known.key(in: environment)
            apiKeyEnv = found?.variable ?? known.keyVariables[0]
            apiKey = found?.value
        }
        if let apiKeyEnv, apiKey == nil {
            // Not an error: the other providers still work, and the variable may be set for the next start.
            warning =
                "\(reader.path): environment variable \(apiKeyEnv) is not set; requests to \"\(id)\" will be "
                + "rejected by the provider until it is"
        }
        let provider = ProviderConfig(
            id: id, kind: kind, baseURL: baseURL, apiKey: apiKey, apiKeyEnv: apiKeyEnv,
            headers: try headers(reader), timeouts: try timeouts(reader), pricing: try pricing(reader))
        return (provider, warning)
    }

    /// The provider's `pricing` for models without their own: both `input` and `output` are required (a half-written
    /// default would make every unlisted model look half free).
    private static func pricing(_ reader: SettingsReader) throws(SettingsError) -> Pricing? {
        guard let section = try reader.child("pricing") else { return nil }
        let prices = try ModelOverride.prices(section)
        guard let input = prices.input, let output = prices.output else {
            throw reader.error("pricing", "needs both \"input\" and \"output\" (USD per million tokens)")
        }
        return Pricing(input: input, output: output, cachedInput: prices.cachedInput, cacheWrite: prices.cacheWrite)
    }

    private static func checkID(_ id: String, path: String) throws(SettingsError) {
        // The id is the part of a model id before the first "/", so it can hold neither "/" nor spaces.
        let allowed = id.unicodeScalars.allSatisfy { $0.isASCII && (isWordCharacter($0) || $0 == "-" || $0 == ".") }
        guard !id.isEmpty, allowed else {
            throw SettingsError(
                "\(path): provider id must be letters, digits, \"-\", \"_\" or \".\" (it is the part "
                    + "of a model id before the \"/\")")
        }
    }

    private static func kind(_ reader: SettingsReader, default known: ProviderKind?) throws(SettingsError) -> ProviderKind {
        let expected = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = try reader.string("kind") else {
            guard let known else { throw reader.error("kind", "is required (one of: \(expected))") }
            return known
        }
        guard let kind = ProviderKind(rawValue: text) else {
            throw reader.error("kind", "unknown kind \"\(text)\" (expected one of: \(expected))")
        }
        return kind
    }

    private static func checkVariableName(_ name: String, reader: SettingsReader) throws(SettingsError) {
        let startsWithDigit = name.unicodeScalars.first.map { ("0"..."9").contains($0) } ?? false
        let valid = !name.isEmpty && !startsWithDigit && name.unicodeScalars.allSatisfy(isWordCharacter)
        // The value is not echoed: a common mistake is pasting the key itself here.
        guard valid else {
            throw reader.error(
                "api_key_env",
                "must be the name of an environment variable (letters, digits and "
                    + "\"_\", not starting with a digit), not the key itself")
        }
    }

    private static func headers(_ reader: SettingsReader) throws(SettingsError) -> [(String, String)] {
        guard let section = try reader.child("headers") else { return [] }
        var headers: [(String, String)] = []
        for (name, value) in section.object {
            guard HeaderName.isValid(name) else { throw section.error(name, "is not a valid HTTP header name") }
            guard let text = value.stringValue else { throw section.error(name, "must be a string") }
            // Header values may be secrets (custom auth headers), so problems never quote them.
            // Scalars, not Characters: "\r\n" is one Character equal to neither "\r" nor "\n".
            guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw section.error(name, "must not contain line breaks or NUL")
            }
            headers.append((name, text))
        }
        return headers
    }

    private static func timeouts(_ reader: SettingsReader) throws(SettingsError) -> AttemptTimeouts {
        let defaults = AttemptTimeouts()
        guard let section = try reader.child("timeouts") else { return defaults }
        try section.rejectUnknown(["connect_ms", "first_byte_ms", "total_ms"])
        let total = try section.int("total_ms", range: 0...86_400_000)
        return AttemptTimeouts(
            connectMilliseconds: try section.int("connect_ms", range: 1...600_000) ?? defaults.connectMilliseconds,
            firstByteMilliseconds: try section.int("first_byte_ms", range: 1...3_600_000) ?? defaults.firstByteMilliseconds,
            // 0 means "no overall limit" (long streams), which JSON cannot say with a missing field.
            totalMilliseconds: total.map { $0 == 0 ? nil : $0 } ?? defaults.totalMilliseconds)
    }

    /// What the key variable of `id` would be called by convention (`my-proxy` → `MY_PROXY_API_KEY`).
    static func defaultKeyVariable(_ id: String) -> String {
        if let known = WellKnownProvider.named(id), let first = known.keyVariables.first { return first }
        let upper = id.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return "\(upper)_API_KEY"
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}
