import JSON

/// The HTTP envelope all adapters share: JSON content type, the provider's authentication, `Accept` for streams,
/// then the provider's configured extra headers.
enum ProviderHTTP {
    /// A request to `url`; a `nil` body makes a body-less request (model lists).
    static func request(
        method: String = "POST", url: String, provider: ProviderConfig, auth: [(String, String)],
        body: JSONObject?, stream: Bool = false
    ) -> UpstreamRequest {
        request(
            method: method, url: url, provider: provider, auth: auth, encodedBody: body.map { JSON.object($0).serialized() },
            stream: stream)
    }

    /// A request to `url` with a body already encoded as JSON.
    static func request(
        method: String = "POST", url: String, provider: ProviderConfig, auth: [(String, String)],
        encodedBody body: [UInt8]?, stream: Bool = false
    ) -> UpstreamRequest {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        headers.append(contentsOf: auth)
        if stream { headers.append(("Accept", "text/event-stream")) }
        headers.append(contentsOf: provider.headers)
        return UpstreamRequest(method: method, url: url, headers: headers, body: body)
    }

    /// The key, when one is configured and non-empty (keyless local servers get no auth header at all).
    static func key(_ provider: ProviderConfig) -> String? {
        guard let key = provider.apiKey, !key.isEmpty else { return nil }
        return key
    }
}
