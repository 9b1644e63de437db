import OrderedCollections

/// JSON to and from script values, keeping the order of object keys.
public enum JSON {
    /// Encodes a value; durations become their text (`"1h30m"`), records become objects.
    /// Text longer than `maxBytes` is a MemoryError: a value that shares its parts can
    /// stand for far more text than memory.
    public static func encode(_ v: Value, indent: Int = 0, maxBytes: Int = 1 << 30) throws -> String {
        guard (0...32).contains(indent) else { throw ScriptError("json(): indent must be from 0 to 32, got \(indent)", code: "ValueError") }
        var out = ""
        try write(v, &out, indent: indent, level: 0, maxBytes: maxBytes)
        guard out.utf8.count <= maxBytes else { throw tooLarge }
        return out
    }

    private static let tooLarge = ScriptError("json(): the text would be too large", code: "MemoryError")

    private static func write(_ v: Value, _ out: inout String, indent: Int, level: Int, maxBytes: Int) throws {
        guard level < 512 else { throw ScriptError("json(): value is nested too deeply", code: "ValueError") }
        guard out.utf8.count <= maxBytes else { throw tooLarge }
        let nl = indent > 0 ? "\n" : ""
        let pad = String(repeating: " ", count: indent * (level + 1))
        let closePad = String(repeating: " ", count: indent * level)
        let colon = indent > 0 ? ": " : ":"
        switch v {
        case .nil: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            guard d.isFinite else { throw ScriptError("json(): \(formatFloat(d)) has no JSON form", code: "ValueError") }
            out += d.description
        case .string(let s): out += escape(s)
        case .duration(let ns): out += escape(formatDuration(ns))
        case .range(let r):
            guard let n = r.count, n <= min(10_000_000, maxBytes / 2) else { throw ScriptError("json(): range is too large", code: "MemoryError") }
            try write(.list((0..<n).map { .int(r.element($0)) }), &out, indent: indent, level: level, maxBytes: maxBytes)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, item) in items.enumerated() {
                out += pad
                try write(item, &out, indent: indent, level: level + 1, maxBytes: maxBytes)
                out += i + 1 < items.count ? "," + nl : nl
            }
            out += closePad + "]"
        case .map(let ms): try object(ms.entries, &out, indent: indent, level: level, nl: nl, pad: pad, closePad: closePad, colon: colon, maxBytes: maxBytes)
        case .record(let r): try object(r.fields, &out, indent: indent, level: level, nl: nl, pad: pad, closePad: closePad, colon: colon, maxBytes: maxBytes)
        case .function, .builtin:
            throw ScriptError("json(): a Function has no JSON form", code: "TypeError")
        case .cell(let c): try write(c.value ?? .nil, &out, indent: indent, level: level, maxBytes: maxBytes)
        }
    }

    private static func object(_ entries: OrderedDictionary<String, Value>, _ out: inout String, indent: Int, level: Int,
                               nl: String, pad: String, closePad: String, colon: String, maxBytes: Int) throws {
        if entries.isEmpty { out += "{}"; return }
        out += "{" + nl
        var i = 0
        for (k, v) in entries {
            out += pad + escape(k) + colon
            try write(v, &out, indent: indent, level: level + 1, maxBytes: maxBytes)
            i += 1
            out += i < entries.count ? "," + nl : nl
        }
        out += closePad + "}"
    }

    static func escape(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Decodes JSON text; objects become Maps in document order, integers Ints.
    public static func decode(_ text: String) throws -> Value {
        var p = JSONReader(Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < p.b.count { throw p.fail("unexpected text after the JSON value") }
        return v
    }
}

/// A JSON error with the line and column where it was found.
public struct JSONError: Error, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public var description: String { "\(message) at line \(line), column \(column)" }
}

private struct JSONReader {
    let b: [UInt8]
    var i = 0
    init(_ b: [UInt8]) { self.b = b }

    func fail(_ message: String) -> JSONError {
        var line = 1, col = 1
        for k in 0..<min(i, b.count) {
            if b[k] == 0x0A { line += 1; col = 1 } else if b[k] & 0xC0 != 0x80 { col += 1 }
        }
        return JSONError(message: message, line: line, column: col)
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: Value) throws -> Value {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { throw fail("invalid literal") }
        i += w.count
        return v
    }

    mutating func value(depth: Int) throws -> Value {
        guard depth < 512 else { throw fail("JSON nested too deeply") }
        guard i < b.count else { throw fail("unexpected end of JSON") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            let m = MapStorage()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let k = try string()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
                i += 1
                skipSpace()
                m.entries[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < b.count else { throw fail("unexpected end of JSON: expected ',' or '}'") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail("unexpected end of JSON: expected ',' or ']'") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .nil)
        default: return try number()
        }
    }

    mutating func number() throws -> Value {
        let start = i
        var isFloat = false
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        while i < b.count {
            let c = b[i]
            if c >= 0x30 && c <= 0x39 { i += 1 }
            else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { isFloat = true; i += 1 }
            else { break }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if text.isEmpty || text == "-" { i = start; throw fail("unexpected character") }
        if !isFloat, let n = Int(text) { return .int(n) }
        guard let d = Double(text) else { i = start; throw fail("invalid number '\(text)'") }
        return .float(d)
    }

    mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw fail("control character in string") }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { throw fail("unterminated string") }
                let e = b[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if code >= 0xD800, code < 0xDC00, i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save // a lone high surrogate: U+FFFD, and read the next escape as itself
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("invalid escape in string")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }
}
