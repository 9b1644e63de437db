/// Splits a template into text and action tokens as Go's text/template lexer does: `{{`/`}}`
/// delimiters, `{{- ` and ` -}}` trimming the whitespace next to them, `{{/* */}}` comments.
struct TemplateToken: Equatable {
    enum Kind: Equatable {
        case text(String)
        case leftDelim
        case rightDelim
        case identifier(String)
        /// `.Name`
        case field(String)
        /// `.Name` right after a term, with no space: `$x.Name`, `(pipeline).Name`, `.A.Name`.
        case chainField(String)
        /// `$` or `$name`
        case variable(String)
        case dot
        case string(String)
        /// The literal as written, for Go's number rules.
        case number(String)
        case char(Unicode.Scalar)
        case bool(Bool)
        case null
        case leftParen, rightParen, pipe, comma
        case declare // :=
        case assign // =
        /// The keywords: if, else, end, range, with, break, continue, define, template, block.
        case keyword(String)
        case eof
    }
    let kind: Kind
    /// Scalar offset in the file.
    let offset: Int
}

struct TemplateLexer {
    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "break", "continue",
                                        "define", "template", "block"]

    let scalars: [Unicode.Scalar]
    let fail: (Int, String) -> ConfigError

    func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" }
    func at(_ i: Int, _ s: Unicode.Scalar) -> Bool { i < scalars.count && scalars[i] == s }
    func isAlnum(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s.properties.isAlphabetic || s.properties.numericType == .decimal
    }

    func tokens() throws -> [TemplateToken] {
        var out: [TemplateToken] = []
        var i = 0
        var trimNext = false
        while i < scalars.count {
            var open = i
            while open + 1 < scalars.count, !(scalars[open] == "{" && scalars[open + 1] == "{") { open += 1 }
            if open + 1 >= scalars.count { open = scalars.count }
            var textEnd = open
            var p = open + 2
            let trimLeft = open < scalars.count && at(p, "-") && p + 1 < scalars.count && isSpace(scalars[p + 1])
            if trimLeft {
                while textEnd > i, isSpace(scalars[textEnd - 1]) { textEnd -= 1 }
            }
            var textStart = i
            if trimNext { while textStart < textEnd, isSpace(scalars[textStart]) { textStart += 1 } }
            trimNext = false
            if textStart < textEnd {
                out.append(TemplateToken(kind: .text(String(String.UnicodeScalarView(scalars[textStart..<textEnd]))), offset: textStart))
            }
            if open >= scalars.count { break }
            if trimLeft { p += 2 }
            // A comment is a whole action of its own.
            if at(p, "/") && at(p + 1, "*") {
                var k = p + 2
                while k + 1 < scalars.count, !(scalars[k] == "*" && scalars[k + 1] == "/") { k += 1 }
                guard k + 1 < scalars.count else { throw fail(open, "unclosed comment") }
                k += 2
                if at(k, "}") && at(k + 1, "}") { i = k + 2; continue }
                if k < scalars.count, isSpace(scalars[k]), at(k + 1, "-"), at(k + 2, "}"), at(k + 3, "}") {
                    i = k + 4
                    trimNext = true
                    continue
                }
                throw fail(k, "comment ends before closing delimiter")
            }
            out.append(TemplateToken(kind: .leftDelim, offset: open))
            let (end, trimRight) = try action(from: p, open: open, into: &out)
            i = end
            trimNext = trimRight
        }
        out.append(TemplateToken(kind: .eof, offset: scalars.count))
        return out
    }

    /// Lexes one action up to and including its `}}`; returns the offset after it and whether
    /// it ends with ` -}}`.
    private func action(from start: Int, open: Int, into out: inout [TemplateToken]) throws -> (Int, Bool) {
        var p = start
        var parenDepth = 0
        while true {
            guard p < scalars.count else { throw fail(open, "unclosed action") }
            let c = scalars[p]
            if isSpace(c) {
                if at(p + 1, "-"), at(p + 2, "}"), at(p + 3, "}") {
                    out.append(TemplateToken(kind: .rightDelim, offset: p + 1))
                    return (p + 4, true)
                }
                p += 1
                continue
            }
            if c == "}" && at(p + 1, "}") {
                if parenDepth > 0 { throw fail(p, "unclosed left paren") }
                out.append(TemplateToken(kind: .rightDelim, offset: p))
                return (p + 2, false)
            }
            let begin = p
            switch c {
            case "(":
                parenDepth += 1
                out.append(TemplateToken(kind: .leftParen, offset: p)); p += 1
            case ")":
                parenDepth -= 1
                if parenDepth < 0 { throw fail(p, "unexpected right paren") }
                out.append(TemplateToken(kind: .rightParen, offset: p)); p += 1
            case "|": out.append(TemplateToken(kind: .pipe, offset: p)); p += 1
            case ",": out.append(TemplateToken(kind: .comma, offset: p)); p += 1
            case "=": out.append(TemplateToken(kind: .assign, offset: p)); p += 1
            case ":":
                guard at(p + 1, "=") else { throw fail(p, "expected :=") }
                out.append(TemplateToken(kind: .declare, offset: p)); p += 2
            case "\"": out.append(TemplateToken(kind: .string(try quoted(&p)), offset: begin))
            case "`":
                p += 1
                var text = String.UnicodeScalarView()
                while p < scalars.count, scalars[p] != "`" { text.append(scalars[p]); p += 1 }
                guard p < scalars.count else { throw fail(begin, "unterminated raw quoted string") }
                p += 1
                out.append(TemplateToken(kind: .string(String(text)), offset: begin))
            case "'":
                p += 1
                var text = String.UnicodeScalarView()
                while p < scalars.count, scalars[p] != "'", scalars[p] != "\n" {
                    if scalars[p] == "\\", p + 1 < scalars.count { text.append(scalars[p]); p += 1 }
                    text.append(scalars[p]); p += 1
                }
                guard at(p, "'") else { throw fail(begin, "unterminated character constant") }
                p += 1
                let decoded = try unescape(Array(text), at: begin)
                guard decoded.count == 1, let only = decoded.first else { throw fail(begin, "malformed character constant") }
                out.append(TemplateToken(kind: .char(only), offset: begin))
            case "$":
                p += 1
                var name = String.UnicodeScalarView(["$"])
                while p < scalars.count, isAlnum(scalars[p]) { name.append(scalars[p]); p += 1 }
                out.append(TemplateToken(kind: .variable(String(name)), offset: begin))
            case ".":
                if p + 1 < scalars.count, ("0"..."9").contains(scalars[p + 1]) {
                    out.append(TemplateToken(kind: .number(number(&p)), offset: begin))
                    break
                }
                p += 1
                var name = String.UnicodeScalarView()
                while p < scalars.count, isAlnum(scalars[p]) { name.append(scalars[p]); p += 1 }
                out.append(TemplateToken(kind: name.isEmpty ? .dot : .field(String(name)), offset: begin))
            case "+", "-", "0"..."9":
                out.append(TemplateToken(kind: .number(number(&p)), offset: begin))
            default:
                guard isAlnum(c) else {
                    throw fail(p, "unexpected \"\(c)\" in command")
                }
                var name = String.UnicodeScalarView()
                while p < scalars.count, isAlnum(scalars[p]) { name.append(scalars[p]); p += 1 }
                let word = String(name)
                switch word {
                case "true": out.append(TemplateToken(kind: .bool(true), offset: begin))
                case "false": out.append(TemplateToken(kind: .bool(false), offset: begin))
                case "nil": out.append(TemplateToken(kind: .null, offset: begin))
                default:
                    out.append(TemplateToken(kind: Self.keywords.contains(word) ? .keyword(word) : .identifier(word), offset: begin))
                }
            }
            // A field chain after a term: `$x.Name`, `(pipeline).Name`.
            while p < scalars.count, scalars[p] == ".", p + 1 < scalars.count, isAlnum(scalars[p + 1]),
                  !("0"..."9").contains(scalars[p + 1]) {
                let b = p
                p += 1
                var name = String.UnicodeScalarView()
                while p < scalars.count, isAlnum(scalars[p]) { name.append(scalars[p]); p += 1 }
                out.append(TemplateToken(kind: .chainField(String(name)), offset: b))
            }
        }
    }

    /// The number's text: Go's scanner takes sign, digits, letters, `.`, `_` and exponent signs.
    private func number(_ p: inout Int) -> String {
        var text = String.UnicodeScalarView()
        if scalars[p] == "+" || scalars[p] == "-" { text.append(scalars[p]); p += 1 }
        while p < scalars.count {
            let s = scalars[p]
            if isAlnum(s) || s == "." || ((s == "+" || s == "-") && (text.last == "e" || text.last == "E" || text.last == "p" || text.last == "P")) {
                text.append(s)
                p += 1
            } else {
                break
            }
        }
        return String(text)
    }

    /// A Go "double quoted" string starting at `p`.
    private func quoted(_ p: inout Int) throws -> String {
        let begin = p
        p += 1
        var raw: [Unicode.Scalar] = []
        while true {
            guard p < scalars.count, scalars[p] != "\n" else { throw fail(begin, "unterminated quoted string") }
            let c = scalars[p]
            if c == "\"" { p += 1; break }
            if c == "\\", p + 1 < scalars.count { raw.append(c); raw.append(scalars[p + 1]); p += 2; continue }
            raw.append(c)
            p += 1
        }
        return String(String.UnicodeScalarView(try unescape(raw, at: begin)))
    }

    private func unescape(_ raw: [Unicode.Scalar], at offset: Int) throws -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var k = 0
        while k < raw.count {
            let c = raw[k]
            guard c == "\\", k + 1 < raw.count else { out.append(c); k += 1; continue }
            let e = raw[k + 1]
            k += 2
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\\", "\"", "'": out.append(e)
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                guard k + width <= raw.count,
                      let code = UInt32(String(String.UnicodeScalarView(raw[k..<k + width])), radix: 16),
                      let scalar = Unicode.Scalar(code) else {
                    throw fail(offset, "invalid syntax: bad \\\(e) escape in quoted string")
                }
                out.append(scalar)
                k += width
            default:
                throw fail(offset, "invalid syntax: unknown escape \\\(e) in quoted string")
            }
        }
        return out
    }
}
