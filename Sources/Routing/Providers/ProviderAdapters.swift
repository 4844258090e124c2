/// The adapter for a provider's wire format. Adapters are stateless values, so one per call is as good as a
/// shared one. Ask the result for the optional capabilities with `as? EmbeddingsAdapter` /
/// `as? ModelListingAdapter` (Anthropic has no embeddings endpoint).
public func providerAdapter(for kind: ProviderKind) -> ProviderAdapter {
    switch kind {
    case .openai: OpenAIAdapter()
    case .anthropic: AnthropicAdapter()
    case .gemini: GeminiAdapter()
    }
}
