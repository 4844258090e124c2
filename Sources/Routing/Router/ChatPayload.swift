import JSON

/// An answer or a `chat.completion.chunk` for the client. Usually an object; on the pass-through path for
/// OpenAI-compatible providers, the provider's own JSON text with only `id`, `model`, `provider` (and `usage`)
/// rewritten, forwarded without being parsed into values or serialized again (DESIGN §5).
public enum ChatPayload {
    case object(JSONObject)
    /// A JSON object's text, validated when it was made.
    case encoded([UInt8])

    /// The chunk as an object; an encoded chunk is parsed here (faces that translate chunks need objects).
    public var object: JSONObject {
        switch self {
        case .object(let object):
            return object
        case .encoded(let bytes):
            do {
                guard let object = try JSON.parse(bytes).objectValue else {
                    preconditionFailure("an encoded chunk is an object")
                }
                return object
            } catch {
                preconditionFailure("an encoded chunk was validated when it was made: \(error)")
            }
        }
    }

    /// The JSON text.
    public var serialized: [UInt8] {
        switch self {
        case .object(let object): JSON.object(object).serialized()
        case .encoded(let encoded): encoded
        }
    }

    /// Appends the chunk's JSON text to `bytes`.
    public func write(into bytes: inout [UInt8]) {
        switch self {
        case .object(let object): JSON.object(object).write(into: &bytes)
        case .encoded(let encoded): bytes += encoded
        }
    }
}

/// The members a routed stream writes into every pass-through chunk: our generation id, the model that answers
/// and its provider, encoded once per attempt.
public struct ChunkStamp: Sendable {
    /// `"id":"…","model":"…","provider":"…"`.
    public let members: [UInt8]

    public init(id: String, model: ModelID) {
        var members: [UInt8] = []
        members += Array(#""id":"#.utf8)
        JSON.string(id).write(into: &members)
        members += Array(#","model":"#.utf8)
        JSON.string(model.description).write(into: &members)
        members += Array(#","provider":"#.utf8)
        JSON.string(model.provider).write(into: &members)
        self.members = members
    }

    /// `{` and the stamp: the start of a stamped copy of an object of about `size` bytes, whose other members
    /// follow, each after a comma.
    func openObject(size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + members.count + 32)
        bytes.append(UInt8(ascii: "{"))
        bytes += members
        return bytes
    }

    /// Whether `member` is one the stamp writes (`id`, `model`, `provider`), so the copy leaves it out.
    static func replaces(_ member: JSONSkim.Member, in bytes: [UInt8]) -> Bool {
        JSONSkim.key(member, in: bytes, is: "id") || JSONSkim.key(member, in: bytes, is: "model")
            || JSONSkim.key(member, in: bytes, is: "provider")
    }
}

/// What a pass-through decoder hands over for one event.
public enum PassedChunk {
    /// A chunk that needed more than new identity members (reasoning renamed, usage read): the object path.
    case object(JSONObject)
    /// A chunk already stamped, whether it carries something the client must see (which commits the stream), and
    /// about how many bytes of generated text it holds (as written in JSON, escapes included; see
    /// `RoutedCall.textBytes`).
    case encoded([UInt8], carriesToken: Bool, textBytes: Int)
}
