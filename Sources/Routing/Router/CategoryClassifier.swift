import FoundationEssentials
import Patterns

/// Picks a category of a category alias by keyword rules on the prompt.
public enum CategoryClassifier {
    /// The first category (in written order) with a keyword found in `text`, with the keyword that matched.
    /// Matching is case-insensitive; a keyword made of letters and digits only must stand as a whole word
    /// (so `code` does not match `encode`), other keywords (`c++`, `unit test`) match as substrings.
    public static func match(_ text: String, categories: [AliasCategory]) -> (category: AliasCategory, keyword: String)? {
        let haystack = Array(text.lowercased().utf8)
        for category in categories {
            for keyword in category.keywords where !keyword.isEmpty {
                if contains(haystack, Array(keyword.lowercased().utf8)) { return (category, keyword) }
            }
        }
        return nil
    }

    /// The category a classifier model named (its answer, trimmed, compared case-insensitively; the first
    /// category name found inside a chattier answer also counts).
    public static func category(named answer: String, in categories: [AliasCategory]) -> AliasCategory? {
        let cleaned = answer.trimming { $0.isWhitespace || $0.isPunctuation }.lowercased()
        if let exact = categories.first(where: { $0.name.lowercased() == cleaned }) { return exact }
        let words = Array(cleaned.utf8)
        return categories.first { contains(words, Array($0.name.lowercased().utf8)) }
    }

    /// The prompt sent to a classifier model.
    public static func classifierPrompt(for text: String, categories: [AliasCategory]) -> String {
        let names = categories.map(\.name).joined(separator: ", ")
        return """
            Classify the user's request into exactly one of these categories: \(names), or "default" if none fits. \
            Answer with the category name only.

            Request:
            \(text.prefix(4000))
            """
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        let wholeWord = needle.allSatisfy(isWordByte)
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == needle[0], haystack[start..<start + needle.count].elementsEqual(needle) {
                let beforeOK = start == 0 || !isWordByte(haystack[start - 1])
                let end = start + needle.count
                let afterOK = end == haystack.count || !isWordByte(haystack[end])
                if !wholeWord || (beforeOK && afterOK) { return true }
            }
            start += 1
        }
        return false
    }

    /// ASCII letters and digits, plus every non-ASCII byte (so words in other scripts stay whole).
    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte >= 128
    }
}
