/// How values read: `str()` (strings as themselves) and the REPL's readable form (strings quoted).
extension Value {
    /// What `print` and `str()` show. Cut short with "…" past 1 GiB (see `text(limit:)`).
    public var text: String {
        if case .string(let s) = self { return s }
        return repr
    }

    /// The readable form: strings quoted and escaped, as the REPL echoes them; cut short
    /// with "…" past 1 GiB.
    public var repr: String {
        var out = ""
        if !write(to: &out, quoted: true, depth: 0, limit: 1 << 30) { out += "…" }
        return out
    }

    /// `text`, or nil when it would be longer than `limit` bytes. A value that shares its
    /// parts (`a = [a, a]`, forty times) is small in memory but its text is exponential:
    /// writing stops at the limit instead of running out of time and memory.
    public func text(limit: Int) -> String? {
        switch self {
        case .string(let s): return s.utf8.count <= limit ? s : nil
        // Not through `write`, which appends it to an empty String: interpolations and
        // `str()` of numbers are the common case.
        case .int(let i):
            let s = String(i)
            return s.utf8.count <= limit ? s : nil
        default: break
        }
        var out = ""
        return write(to: &out, quoted: true, depth: 0, limit: limit) && out.utf8.count <= limit ? out : nil
    }

    /// False when `out` grew past `limit` and writing stopped.
    private func write(to out: inout String, quoted: Bool, depth: Int, limit: Int) -> Bool {
        if out.utf8.count > limit { return false }
        if depth > 1000 { out += "…"; return true }
        switch self {
        case .nil: out += "nil"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += formatFloat(d)
        case .string(let s): out += quoted ? quote(s) : s
        case .duration(let ns): out += formatDuration(ns)
        case .list(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += ", " }
                if !v.write(to: &out, quoted: true, depth: depth + 1, limit: limit) { return false }
            }
            out += "]"
        case .map(let m):
            out += "{"
            var first = true
            for (k, v) in m.entries {
                if !first { out += ", " }
                first = false
                out += quote(k)
                out += ": "
                if !v.write(to: &out, quoted: true, depth: depth + 1, limit: limit) { return false }
            }
            out += "}"
        case .range(let r): out += "\(r.lower)\(r.closed ? "..=" : "..")\(r.upper)"
        case .function(let c): out += c.proto.name == "fn" ? "<fn>" : "<fn \(c.proto.name)>"
        case .builtin(let b): out += "<builtin \(b.name)>"
        case .record(let r):
            out += r.typeName
            out += "("
            var first = true
            for (k, v) in r.fields {
                if !first { out += ", " }
                first = false
                out += k
                out += ": "
                if !v.write(to: &out, quoted: true, depth: depth + 1, limit: limit) { return false }
            }
            out += ")"
        case .cell(let c): return (c.value ?? .nil).write(to: &out, quoted: quoted, depth: depth, limit: limit)
        }
        return true
    }
}

func formatFloat(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return d.description
}

/// `1h30m`, `500ms`, `1m30s`, `0s`.
public func formatDuration(_ nanoseconds: Int) -> String {
    if nanoseconds == 0 { return "0s" }
    var out = nanoseconds < 0 ? "-" : ""
    var rest = nanoseconds.magnitude
    let units: [(String, UInt)] = [("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
                                   ("ms", 1_000_000), ("us", 1_000), ("ns", 1)]
    for (name, size) in units where rest >= size {
        out += "\(rest / size)\(name)"
        rest %= size
    }
    return out
}

/// A string in double quotes with the escapes the lexer reads back.
func quote(_ s: String) -> String {
    var out = "\""
    let scalars = Array(s.unicodeScalars)
    for (i, ch) in scalars.enumerated() {
        // `$` needs its escape only where `${` would start an interpolation.
        let nextIsBrace = i + 1 < scalars.count && scalars[i + 1] == "{"
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "$" where nextIsBrace: out += "\\$"
        default:
            if ch.value < 0x20 || ch.value == 0x7F {
                out += "\\u{\(String(ch.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out + "\""
}
