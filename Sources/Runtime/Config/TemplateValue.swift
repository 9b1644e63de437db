import Foundation

/// A value inside a template, shaped after the Go values ecspresso's templates see:
/// function results are strings, literals are Go constants, and the data (`.`) is nil.
public indirect enum TemplateValue: Sendable, Equatable {
    /// Go's invalid reflect.Value: a missing map key, or `.` (ecspresso executes with nil data).
    /// Prints as `<no value>`.
    case missing
    /// An explicit `nil`.
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([TemplateValue])
    /// Keys are kept sorted when printed and ranged over, as Go does.
    case map([String: TemplateValue])

    /// The Go type name, for messages ("string", "int", "float64").
    var typeName: String {
        switch self {
        case .missing: return "<no value>"
        case .null: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .string: return "string"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        }
    }

    /// text/template's truth: false, 0, "", nil, empty lists and maps, and missing values are false.
    var isTrue: Bool {
        switch self {
        case .missing, .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        }
    }

    /// What `{{ value }}` writes: fmt.Fprint's form, `<no value>` for a missing value.
    var printed: String {
        switch self {
        case .missing: return "<no value>"
        default: return GoFormat.value(self)
        }
    }
}

/// Go's fmt formatting for the values templates meet.
enum GoFormat {
    /// `%v`.
    static func value(_ v: TemplateValue) -> String {
        switch v {
        case .missing, .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(value).joined(separator: " ") + "]"
        case .map(let m):
            return "map[" + m.keys.sorted().map { "\($0):\(value(m[$0] ?? .null))" }.joined(separator: " ") + "]"
        }
    }

    /// strconv.FormatFloat(d, 'g', -1, 64), which `%v` uses: the shortest digits that read back
    /// as `d`, in exponent form when the decimal exponent is below -4 or at least 6.
    static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest round-tripping form; take its digits and exponent.
        let (digits, exponent) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let exp = exponent - 1
        if exp < -4 || exp >= 6 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exp)
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (e < 10 ? "0\(e)" : "\(e)")
        }
        if exponent <= 0 {
            return sign + "0." + String(repeating: "0", count: -exponent) + digits
        }
        if digits.count <= exponent {
            return sign + digits + String(repeating: "0", count: exponent - digits.count)
        }
        let i = digits.index(digits.startIndex, offsetBy: exponent)
        return sign + digits[..<i] + "." + digits[i...]
    }

    /// The significant digits of `d` (> 0) and the decimal exponent such that d = 0.DIGITS × 10^exponent.
    static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = "\(d)" // e.g. "1234.5", "1e-05", "1.5e+20"
        var mantissa = text
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exp = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var all = whole + fraction
        var pointAt = whole.count + exp
        while all.hasPrefix("0") { all.removeFirst(); pointAt -= 1 }
        while all.hasSuffix("0") { all.removeLast() }
        return (all.isEmpty ? "0" : all, pointAt)
    }
}

extension GoFormat {
    /// fmt.Sprint: spaces between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, a) in args.enumerated() {
            if i > 0, !isString(args[i - 1]), !isString(a) { out += " " }
            out += value(a)
        }
        return out
    }

    private static func isString(_ v: TemplateValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    /// fmt.Sprintf for the verbs templates use: %v %s %d %q %x %X %f %t %%, with flags, width
    /// and precision; Go's `%!verb(...)` forms for a missing or ill-typed argument.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argIndex = 0
        var i = 0
        while i < f.count {
            guard f[i] == "%" else { out.unicodeScalars.append(f[i]); i += 1; continue }
            i += 1
            guard i < f.count else { out += "%!(NOVERB)"; break }
            var minus = false, zero = false, plus = false, space = false
            while i < f.count, "-0+ #".unicodeScalars.contains(f[i]) {
                switch f[i] {
                case "-": minus = true
                case "0": zero = true
                case "+": plus = true
                case " ": space = true
                default: break
                }
                i += 1
            }
            var width: Int?
            while i < f.count, ("0"..."9").contains(f[i]) { width = (width ?? 0) * 10 + Int(f[i].value - 48); i += 1 }
            var precision: Int?
            if i < f.count, f[i] == "." {
                i += 1
                precision = 0
                while i < f.count, ("0"..."9").contains(f[i]) { precision = (precision ?? 0) * 10 + Int(f[i].value - 48); i += 1 }
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = f[i]
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            var text: String
            switch (verb, arg) {
            case ("v", _): text = value(arg)
            case ("s", .string(let s)): text = precision.map { String(s.prefix($0)) } ?? s
            case ("s", .int), ("s", .float), ("s", .bool), ("s", .list), ("s", .map):
                text = "%!s(\(arg.typeName)=\(value(arg)))"
            case ("q", .string(let s)): text = quote(s)
            case ("d", .int(let n)): text = String(n)
            case ("x", .int(let n)): text = String(n, radix: 16)
            case ("X", .int(let n)): text = String(n, radix: 16).uppercased()
            case ("x", .string(let s)): text = s.utf8.map { String(format: "%02x", $0) }.joined()
            case ("X", .string(let s)): text = s.utf8.map { String(format: "%02X", $0) }.joined()
            case ("f", .float(let d)), ("F", .float(let d)): text = String(format: "%.\(precision ?? 6)f", d)
            case ("t", .bool(let b)): text = b ? "true" : "false"
            default: text = "%!\(verb)(\(arg.typeName)=\(value(arg)))"
            }
            if (plus || space), "dfF".unicodeScalars.contains(verb), !text.hasPrefix("-") { text = (plus ? "+" : " ") + text }
            if let width, text.unicodeScalars.count < width {
                let pad = width - text.unicodeScalars.count
                if minus {
                    text += String(repeating: " ", count: pad)
                } else if zero, "dfFxX".unicodeScalars.contains(verb) {
                    let signed = text.hasPrefix("-") || text.hasPrefix("+")
                    text = (signed ? String(text.prefix(1)) : "") + String(repeating: "0", count: pad) + (signed ? String(text.dropFirst()) : text)
                } else {
                    text = String(repeating: " ", count: pad) + text
                }
            }
            out += text
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\($0.typeName)=\(value($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    /// strconv.Quote for the common cases: `"`, `\` and control characters escaped.
    static func quote(_ s: String) -> String {
        "\"" + Template.escape(s, htmlSafe: false) { u in
            u.value < 0x20 || u.value == 0x7F ? String(format: "\\x%02x", u.value) : nil
        } + "\""
    }
}
