/// Which browser origins may call the server: loopback pages always, others only when the operator allowed them
/// (`--allow-origin`; DNS-rebinding protection). One rule for `/mcp` and the model APIs.
public struct OriginPolicy: Sendable {
    private let allowed: Set<String>

    public init(allowed: [String]) {
        self.allowed = Set(allowed.map { $0.lowercased() })
    }

    /// Whether a page on `origin` (the `Origin` header, compared case-insensitively) may call.
    public func allows(_ origin: String) -> Bool {
        let lowered = origin.lowercased()
        if allowed.contains(lowered) || allowed.contains("*") { return true }
        for prefix in [
            "http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1", "http://[::1]",
            "https://[::1]",
        ] {
            if lowered == prefix || lowered.hasPrefix(prefix + ":") { return true }
        }
        return false
    }
}
