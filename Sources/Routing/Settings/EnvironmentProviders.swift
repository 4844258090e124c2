import FoundationEssentials
import Patterns

/// Providers found in the environment when there is no settings file (or the file has no `providers`): one per
/// well-known key variable that is set (`OPENAI_API_KEY`, `GROQ_API_KEY`, …), plus Ollama when `OLLAMA_HOST` is set.
enum EnvironmentProviders {
    /// The providers `environment` configures, by id.
    static func discover(in environment: [String: String]) throws(SettingsError) -> [String: ProviderConfig] {
        var providers: [String: ProviderConfig] = [:]
        for known in WellKnownProvider.all where !known.keyVariables.isEmpty {
            guard let key = known.key(in: environment) else { continue }
            var baseURL = known.baseURL
            if let variable = known.baseURLVariable, let value = environment[variable], !value.isEmpty {
                guard isHTTPURL(value) else {
                    throw SettingsError("\(variable): must be an http:// or https:// URL, got \"\(value)\"")
                }
                baseURL = value
            }
            providers[known.id] = ProviderConfig(
                id: known.id, kind: known.kind, baseURL: baseURL, apiKey: key.value,
                apiKeyEnv: key.variable)
        }
        if let host = environment["OLLAMA_HOST"], !host.isEmpty {
            providers["ollama"] = ProviderConfig(id: "ollama", kind: .openai, baseURL: ollamaBaseURL(host: host))
        }
        return providers
    }

    /// `OLLAMA_HOST` is a host and port, with or without a scheme, as Ollama's own client reads it
    /// (`envconfig.Host()` in ollama/ollama): no scheme means `http` and port 11434; `0.0.0.0:11434`, `:11434` and
    /// `https://ollama.example` all occur in the wild. The OpenAI-compatible API lives under `/v1`.
    static func ollamaBaseURL(host: String) -> String {
        var text = host.trimmingWhitespace()
        var scheme = "http"
        var defaultPort: String? = "11434"
        if let range = text.firstRange(of: "://") {
            scheme = String(text[..<range.lowerBound])
            text = String(text[range.upperBound...])
            // With a scheme written out, the scheme's own port applies, as in Ollama's client.
            defaultPort = nil
        }
        var path = ""
        if let slash = text.firstIndex(of: "/") {
            path = String(text[slash...])
            text = String(text[..<slash])
        }
        let hasPort = text.hasPrefix("[") ? text.contains("]:") : text.contains(":")
        if text.hasPrefix(":") { text = "127.0.0.1" + text }
        if text.isEmpty { text = "127.0.0.1" }
        if !hasPort, let defaultPort { text += ":\(defaultPort)" }
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/v1") { path += "/v1" }
        return "\(scheme)://\(text)\(path)"
    }

    static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") && text.count > 7) || (text.hasPrefix("https://") && text.count > 8)
    }
}
