/// A lexical token with its byte span.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case keyword(Keyword)
        case int(Int)
        /// 9223372036854775808: only valid right after a unary minus, as Int.min.
        case intMinMagnitude
        case float(Double)
        /// Nanoseconds.
        case duration(Int)
        case string([StringPart])
        case punct(Punct)
        case newline
        case eof
    }

    let kind: Kind
    let start: Int
    let end: Int
}

/// A piece of a `"..."` string: literal text, or the tokens of a `${...}` expression.
enum StringPart: Sendable, Equatable {
    case text(String)
    case code([Token], start: Int, end: Int)

    static func == (a: StringPart, b: StringPart) -> Bool {
        switch (a, b) {
        case let (.text(x), .text(y)): return x == y
        case let (.code(_, s1, e1), .code(_, s2, e2)): return s1 == s2 && e1 == e2
        default: return false
        }
    }
}

enum Keyword: String, Sendable, CaseIterable {
    case `let`, `var`, `fn`, `return`, `if`, `else`, `while`, `for`, `in`, `break`, `continue`
    case `try`, `catch`, `true`, `false`, `nil`, `and`, `or`, `not`, `import`, `as`
}

enum Punct: String, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", questionDot = "?.", questionQuestion = "??"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/=", percentAssign = "%="
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case dotDot = "..", dotDotEq = "..=", arrow = "=>"
}

extension Token.Kind {
    /// How the token reads in an error message.
    var display: String {
        switch self {
        case .identifier(let n): return "identifier '\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .int, .float, .intMinMagnitude: return "a number"
        case .duration: return "a duration"
        case .string: return "a string"
        case .punct(let p): return "'\(p.rawValue)'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        }
    }
}
