/// Whitespace trimming without Foundation (the gateway links FoundationEssentials only, which has no
/// `CharacterSet` trimming): whitespace here is `Character.isWhitespace`, which covers spaces, tabs and line breaks.
extension StringProtocol {
    /// The text without leading and trailing whitespace.
    public func trimmingWhitespace() -> String {
        trimming { $0.isWhitespace }
    }

    /// The text without leading and trailing characters for which `isTrimmed` holds.
    public func trimming(where isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }),
            let last = lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(self[first...last])
    }
}
