/// A concrete model at a provider, written `provider/model` (the provider is the id from settings, e.g. `openai`,
/// `anthropic`, `openrouter`). Everything after the first `/` is the provider's own model name, so
/// `openrouter/anthropic/claude-sonnet-4` names OpenRouter's `anthropic/claude-sonnet-4`.
public struct ModelID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let provider: String
    public let model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Parses `provider/model`; `nil` when there is no `/` or either side is empty.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash])
        let model = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: provider, model: model)
    }

    public var description: String { "\(provider)/\(model)" }

    public static func < (lhs: ModelID, rhs: ModelID) -> Bool { lhs.description < rhs.description }
}
