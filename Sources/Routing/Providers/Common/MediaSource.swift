import FoundationEssentials
import Patterns

/// Where the bytes of an image (or file) part are: inline in a `data:` URL, or at a remote URL the provider
/// fetches itself.
enum MediaSource: Equatable {
    /// Base64 data and its media type, from a `data:` URL.
    case inline(mediaType: String, base64: String)
    /// An `http(s)` URL.
    case remote(url: String)

    /// Reads the `url` of an OpenAI `image_url` part (or a file part's `file_data`). Throws `.badRequest` for a
    /// malformed `data:` URL or a scheme no provider fetches.
    static func parse(_ url: String) throws(UpstreamFailure) -> MediaSource {
        let lowered = url.prefix(8).lowercased()
        if lowered.hasPrefix("data:") {
            guard let data = DataURL(url) else {
                throw UpstreamFailure(.badRequest, message: "malformed data: URL in an image or file part")
            }
            return .inline(mediaType: data.mediaType, base64: data.base64)
        }
        if lowered.hasPrefix("https://") || lowered.hasPrefix("http://") { return .remote(url: url) }
        throw UpstreamFailure(.badRequest, message: "image and file URLs must be http(s) or data: URLs")
    }

    /// A media type guessed from the URL's file extension (Gemini's `fileData` needs one); `nil` when unknown.
    static func mediaType(guessedFrom url: String) -> String? {
        var path = Substring(url)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "heic": return "image/heic"
        case "heif": return "image/heif"
        case "pdf": return "application/pdf"
        case "mp3": return "audio/mp3"
        case "wav": return "audio/wav"
        default: return nil
        }
    }
}

/// A parsed RFC 2397 `data:` URL: `data:[<mediatype>][;base64],<data>`.
struct DataURL: Equatable {
    /// The media type without parameters, lowercased; `text/plain` when absent (RFC 2397 §2).
    var mediaType: String
    /// The payload, base64-encoded (percent-encoded payloads are re-encoded, since providers want base64).
    var base64: String

    init?(_ url: String) {
        guard url.prefix(5).lowercased() == "data:", let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        let parameters = header.split(separator: ";", omittingEmptySubsequences: false)
        let type = parameters.first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        mediaType = type.isEmpty ? "text/plain" : type
        let payload = url[url.index(after: comma)...]
        if parameters.dropFirst().contains(where: { $0.lowercased() == "base64" }) {
            // Line breaks inside base64 are legal in a data URL but not in a provider's JSON field.
            base64 = String(payload.filter { !$0.isWhitespace })
            guard !base64.isEmpty else { return nil }
        } else {
            guard let text = payload.percentDecoded else { return nil }
            base64 = Data(text.utf8).base64EncodedString()
        }
    }
}
