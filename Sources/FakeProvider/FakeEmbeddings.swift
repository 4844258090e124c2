import JSON

/// Deterministic embeddings: each text maps to a fixed vector (FNV-1a of its bytes, per dimension), so equal
/// texts get equal vectors in every run and every format. Components are multiples of 1/256 in [-1, 1), exact in
/// float32, so the base64 form (little-endian float32, what the OpenAI SDKs request by default) decodes to the
/// same numbers as the JSON array.
enum FakeEmbeddings {
    static let defaultDimensions = 8
    static let maxDimensions = 4096

    /// The vector for `text`.
    static func vector(for text: String, dimensions: Int) -> [Double] {
        (0..<dimensions).map { dimension in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(dimension)
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return Double(Int(hash >> 55)) / 256 - 1  // the top 9 bits: 0..<512
        }
    }

    static func dimensions(_ requested: JSON?) -> Int {
        guard let value = requested?.intValue, value >= 1 else { return defaultDimensions }
        return Int(min(value, Int64(maxDimensions)))
    }

    // MARK: OpenAI

    /// `POST /v1/embeddings`: `input` is a string, an array of strings, or token arrays (whose JSON text is
    /// embedded). `dimensions` and `encoding_format` (`float` or `base64`) are honoured.
    static func openAI(_ body: JSON, model: String) throws(FakeFailure) -> JSON {
        let inputs: [String]
        switch body["input"] {
        case .string(let text)?:
            inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }):
            inputs = items.compactMap(\.stringValue)
        case .array(let items)? where !items.isEmpty:
            // Token ids: one array of integers is one input, an array of arrays is several.
            inputs = items.allSatisfy { $0.arrayValue != nil } ? items.map(\.jsonString) : [JSON.array(items).jsonString]
        default:
            throw .badRequest("'input' is required: a string or an array of strings")
        }
        let dimensions = dimensions(body["dimensions"])
        let base64 = body["encoding_format"]?.stringValue == "base64"
        var data: [JSON] = []
        var bytes = 0
        for (index, input) in inputs.enumerated() {
            bytes += input.utf8.count
            let vector = vector(for: input, dimensions: dimensions)
            let embedding: JSON = base64 ? .string(float32Base64(vector)) : .array(vector.map(JSON.double))
            data.append(["object": "embedding", "index": .int(Int64(index)), "embedding": embedding])
        }
        let tokens = JSON.int(Int64(max(1, bytes / 4)))
        return [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
        ]
    }

    // MARK: Gemini

    /// `embedContent`: `{"content": {"parts": [...]}}` → `{"embedding": {"values": [...]}}`.
    static func geminiSingle(_ body: JSON) -> JSON {
        ["embedding": geminiEmbedding(body)]
    }

    /// Gemini's limit on `requests` in one `batchEmbedContents`.
    static let geminiMaxBatch = 100

    /// `batchEmbedContents`: `{"requests": [...]}` → `{"embeddings": [...]}`. More than 100 requests is Gemini's
    /// 400 INVALID_ARGUMENT, so a client that does not split long lists fails here as it would there.
    static func geminiBatch(_ body: JSON) throws(FakeFailure) -> JSON {
        guard let requests = body["requests"]?.arrayValue, !requests.isEmpty else {
            throw .badRequest("* BatchEmbedContentsRequest.requests: contents is not specified")
        }
        guard requests.count <= geminiMaxBatch else {
            throw .badRequest(
                "* BatchEmbedContentsRequest.requests: at most \(geminiMaxBatch) requests can be in one batch")
        }
        return ["embeddings": .array(requests.map(geminiEmbedding))]
    }

    private static func geminiEmbedding(_ request: JSON) -> JSON {
        let text = FakePrompt.text(of: request["content"]?["parts"])
        let vector = vector(for: text, dimensions: dimensions(request["outputDimensionality"]))
        return ["values": .array(vector.map(JSON.double))]
    }

    // MARK: Base64

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The vector as little-endian float32 values, base64-encoded.
    static func float32Base64(_ vector: [Double]) -> String {
        var raw: [UInt8] = []
        raw.reserveCapacity(vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { raw.append(contentsOf: $0) }
        }
        return base64(raw)
    }

    /// RFC 4648 §4 base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                // `count` input bytes fill `count + 1` output characters; the rest is padding.
                out.append(position <= count ? alphabet[Int((group >> (18 - 6 * position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
