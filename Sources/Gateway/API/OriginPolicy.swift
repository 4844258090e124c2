/// Which browser origins may call the HTTP API: loopback pages always, others only when the operator allowed them
/// with `--allow-origin` (DNS-rebinding protection, as on `/mcp`).
struct OriginPolicy {
    private let allowed: Set<String>

    init(allowed: [String]) {
        self.allowed = Set(allowed.map { $0.lowercased() })
    }

    func allows(_ origin: String) -> Bool {
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
