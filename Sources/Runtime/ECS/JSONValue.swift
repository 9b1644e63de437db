import OrderedCollections

/// A JSON document as the runtime holds request parameters, service-definition defaults
/// and task definitions: plain data, objects in the order they were written.
///
/// Script values become this once, where a built-in or the command line hands them to
/// the runtime; the orchestration and the backends see nothing else.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(OrderedDictionary<String, JSONValue>)

    /// The kind as messages name it, with its article ("a String", "an Int"): the names
    /// scripts know their values by.
    public var kindWithArticle: String {
        switch self {
        case .null: "a Nil"
        case .bool: "a Bool"
        case .int: "an Int"
        case .double: "a Float"
        case .string: "a String"
        case .array: "a List"
        case .object: "a Map"
        }
    }

    public var isNull: Bool { self == .null }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Compact JSON text in document order, as RegisterTaskDefinition is sent.
    public var text: String {
        var out = ""
        write(&out)
        return out
    }

    private func write(_ out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.description
        case .string(let s): Self.escape(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(&out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.escape(k, into: &out)
                out += ":"
                v.write(&out)
            }
            out += "}"
        }
    }

    /// As `json()` writes strings: controls as lowercase `\u00xx`, nothing HTML-escaped.
    private static func escape(_ s: String, into out: inout String) {
        out += "\"" + Template.escape(s, htmlSafe: false) { $0.value < 0x20 ? "\\u" + Template.hex4($0.value) : nil } + "\""
    }

    /// The bytes of this value's wire JSON once decoded into an API shape (members that
    /// are null left out), counted without writing the text: RunTask's limit on the size of
    /// `overrides` is checked before the one encoding that sends the request.
    public var wireLength: Int {
        switch self {
        case .null: return 4
        case .bool(let b): return b ? 4 : 5
        case .int(let i): return String(i).utf8.count
        case .double(let d): return d == d.rounded(.towardZero) && abs(d) < 1e15 ? String(Int(d)).utf8.count : d.description.utf8.count
        case .string(let s): return Self.wireLength(of: s)
        case .array(let items): return 2 + max(0, items.count - 1) + items.reduce(0) { $0 + $1.wireLength }
        case .object(let members):
            let present = members.filter { !$0.value.isNull }
            return 2 + max(0, present.count - 1)
                + present.reduce(0) { $0 + Self.wireLength(of: $1.key) + 1 + $1.value.wireLength }
        }
    }

    /// A string as JSONEncoder writes it (`\b` and `\f` short, other controls as `\u00XX`).
    private static func wireLength(of s: String) -> Int {
        var n = 2
        for u in s.unicodeScalars {
            switch u {
            case "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}": n += 2
            default: n += u.value < 0x20 ? 6 : String(u).utf8.count
            }
        }
        return n
    }
}
