/// ecspresso's template pass (a subset of Go's text/template, with kayac/go-config's functions),
/// applied to a file's text before it is parsed.
///
/// Supported inside `{{ ... }}`:
/// - `env "NAME"`: the variable's value, or "" when it is unset or empty;
///   `env "NAME" "default"`: the default instead of ""; with more arguments, every one but the
///   last is tried as a variable name in turn, and the last is the default;
/// - `must_env "NAME"`: the variable's value (set but empty is fine); unset is an error;
/// - `json_escape S`: S escaped to sit inside a JSON string, as Go's json.Marshal does;
/// - string literals, "double quoted" (with Go escapes) or `backquoted` (raw);
/// - a parenthesized pipeline as an argument: `json_escape (env "X")`;
/// - pipes: `env "X" | json_escape` passes the left value as the last argument;
/// - trim markers `{{- ` and ` -}}`, and comments `{{/* ... */}}`.
///
/// Anything else (`.Field`, `$var`, `if`, `range`, numbers, ecspresso plugin functions such as
/// `tfstate` or `ssm`) is reported as an error with its position.
///
/// Unlike kayac/go-config, `env "NAME"` with NAME unset gives "" rather than the text "NAME",
/// and the last argument of a longer `env` is only ever a default, never a variable name.
public struct Template {
    /// Renders `text`; `file` names it in errors; `environment` is the only source of variables.
    public static func render(_ text: String, file: String, environment: [String: String]) throws -> String {
        var renderer = Renderer(scalars: Array(text.unicodeScalars), file: file, environment: environment)
        return try renderer.run()
    }
}

/// One token inside an action, with the scalar offset where it starts.
private struct Token {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        case leftParen, rightParen, pipe
    }
    let kind: Kind
    let offset: Int
}

/// A parsed pipeline: the first command, then the functions the value is piped through.
private indirect enum Expression {
    case literal(String)
    case call(name: String, arguments: [Expression], offset: Int)
}

private struct Renderer {
    let scalars: [Unicode.Scalar]
    let file: String
    let environment: [String: String]
    var out = String.UnicodeScalarView()

    init(scalars: [Unicode.Scalar], file: String, environment: [String: String]) {
        self.scalars = scalars
        self.file = file
        self.environment = environment
    }

    func error(at offset: Int, _ message: String) -> ConfigError {
        let (line, column) = TextPosition.of(offset: offset, in: scalars)
        return ConfigError(file: file, line: line, column: column, message: message)
    }

    func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" }

    func at(_ i: Int, _ s: Unicode.Scalar) -> Bool { i < scalars.count && scalars[i] == s }

    mutating func run() throws -> String {
        var i = 0
        var trimNextText = false
        while i < scalars.count {
            guard let open = findOpen(from: i) else {
                appendText(i..<scalars.count, trimLeading: trimNextText)
                break
            }
            var p = open + 2
            let trimLeft = at(p, "-") && p + 1 < scalars.count && isSpace(scalars[p + 1])
            if trimLeft { p += 2 }
            appendText(i..<open, trimLeading: trimNextText)
            if trimLeft { trimTrailingOutput() }

            let (value, end, trimRight) = try action(open: open, from: p)
            if let value { out.append(contentsOf: value.unicodeScalars) }
            trimNextText = trimRight
            i = end
        }
        return String(out)
    }

    func findOpen(from start: Int) -> Int? {
        var k = start
        while k + 1 < scalars.count {
            if scalars[k] == "{" && scalars[k + 1] == "{" { return k }
            k += 1
        }
        return nil
    }

    /// Whether a `}}` follows `start` at all; checked lazily so that a forgotten `}}` is reported
    /// as such rather than as whatever text comes next.
    func findClose(from start: Int) -> Int? {
        var k = start
        while k + 1 < scalars.count {
            if scalars[k] == "}" && scalars[k + 1] == "}" { return k }
            k += 1
        }
        return nil
    }

    mutating func appendText(_ range: Range<Int>, trimLeading: Bool) {
        var lower = range.lowerBound
        if trimLeading { while lower < range.upperBound, isSpace(scalars[lower]) { lower += 1 } }
        out.append(contentsOf: scalars[lower..<range.upperBound])
    }

    mutating func trimTrailingOutput() {
        while let last = out.last, isSpace(last) { out.removeLast() }
    }

    /// Parses and runs one action whose body starts at `start`; returns its output (nil for a
    /// comment), the offset after its `}}`, and whether it ends with ` -}}`.
    func action(open: Int, from start: Int) throws -> (String?, Int, Bool) {
        var p = start
        if at(p, "/") && at(p + 1, "*") {
            var k = p + 2
            while k + 1 < scalars.count, !(scalars[k] == "*" && scalars[k + 1] == "/") { k += 1 }
            guard k + 1 < scalars.count else { throw error(at: open, "unclosed comment: '{{/*' has no matching '*/}}'") }
            k += 2
            if at(k, "}") && at(k + 1, "}") { return (nil, k + 2, false) }
            if at(k, " ") && at(k + 1, "-") && at(k + 2, "}") && at(k + 3, "}") { return (nil, k + 4, true) }
            throw error(at: k, "a template comment must end with '*/}}'")
        }
        var tokens: [Token] = []
        var closeEnd = -1
        var trimRight = false
        while true {
            while p < scalars.count, isSpace(scalars[p]) {
                if at(p + 1, "-") && at(p + 2, "}") && at(p + 3, "}") {
                    closeEnd = p + 4
                    trimRight = true
                    break
                }
                p += 1
            }
            if closeEnd >= 0 { break }
            guard p < scalars.count else {
                throw error(at: open, "unclosed action: '{{' has no matching '}}'")
            }
            let c = scalars[p]
            if c == "}" && at(p + 1, "}") { closeEnd = p + 2; break }
            if c == "{" && at(p + 1, "{") || findClose(from: p) == nil {
                throw error(at: open, "unclosed action: '{{' has no matching '}}'")
            }
            switch c {
            case "(": tokens.append(Token(kind: .leftParen, offset: p)); p += 1
            case ")": tokens.append(Token(kind: .rightParen, offset: p)); p += 1
            case "|": tokens.append(Token(kind: .pipe, offset: p)); p += 1
            case "\"": tokens.append(try quoted(from: &p, open: open))
            case "`":
                let begin = p
                p += 1
                var text = String.UnicodeScalarView()
                while p < scalars.count, scalars[p] != "`" { text.append(scalars[p]); p += 1 }
                guard p < scalars.count else { throw error(at: begin, "unterminated raw string: '`' has no closing '`'") }
                p += 1
                tokens.append(Token(kind: .string(String(text)), offset: begin))
            default:
                if isIdentifierStart(c) {
                    let begin = p
                    var name = String.UnicodeScalarView()
                    while p < scalars.count, isIdentifierStart(scalars[p]) || ("0"..."9").contains(scalars[p]) {
                        name.append(scalars[p])
                        p += 1
                    }
                    tokens.append(Token(kind: .identifier(String(name)), offset: begin))
                } else {
                    throw error(at: p, "unsupported in a template action: '\(describe(c, at: p))' "
                        + "(ecsh supports env, must_env and json_escape with string arguments, parentheses and '|')")
                }
            }
        }
        guard !tokens.isEmpty else { throw error(at: open, "empty template action '{{ }}'") }
        var parser = ActionParser(tokens: tokens, renderer: self, open: open)
        let expression = try parser.pipeline()
        if parser.index < tokens.count {
            throw error(at: tokens[parser.index].offset, "unexpected \(parser.describe(tokens[parser.index])) in template action")
        }
        return (try evaluate(expression, open: open), closeEnd, trimRight)
    }

    func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_"
    }

    /// A short excerpt for an error message: the word starting at `p`, or its first scalar.
    func describe(_ c: Unicode.Scalar, at p: Int) -> String {
        var k = p
        var word = String.UnicodeScalarView()
        while k < scalars.count, word.count < 20, !isSpace(scalars[k]), scalars[k] != "}" {
            word.append(scalars[k])
            k += 1
        }
        return word.isEmpty ? String(c) : String(word)
    }

    /// A Go "double quoted" string starting at `p`.
    func quoted(from p: inout Int, open: Int) throws -> Token {
        let begin = p
        p += 1
        var text = String.UnicodeScalarView()
        while true {
            guard p < scalars.count, scalars[p] != "\n" else {
                throw error(at: begin, "unterminated string: '\"' has no closing '\"'")
            }
            let c = scalars[p]
            if c == "\"" { p += 1; break }
            if c != "\\" { text.append(c); p += 1; continue }
            guard p + 1 < scalars.count else { throw error(at: begin, "unterminated string: '\"' has no closing '\"'") }
            let e = scalars[p + 1]
            p += 2
            switch e {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "a": text.append("\u{07}")
            case "b": text.append("\u{08}")
            case "f": text.append("\u{0C}")
            case "v": text.append("\u{0B}")
            case "\\", "\"", "'": text.append(e)
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                guard p + width <= scalars.count,
                      let code = UInt32(String(String.UnicodeScalarView(scalars[p..<p + width])), radix: 16),
                      let scalar = Unicode.Scalar(code) else {
                    throw error(at: p - 2, "invalid \\\(e) escape in string")
                }
                text.append(scalar)
                p += width
            default:
                throw error(at: p - 2, "invalid escape '\\\(e)' in string")
            }
        }
        return Token(kind: .string(String(text)), offset: begin)
    }

    func evaluate(_ expression: Expression, open: Int) throws -> String {
        switch expression {
        case .literal(let s): return s
        case .call(let name, let arguments, _):
            let values = try arguments.map { try evaluate($0, open: open) }
            switch name {
            case "env":
                guard !values.isEmpty else { throw error(at: open, "env needs a variable name: {{ env \"NAME\" \"default\" }}") }
                if values.count == 1 { return environment[values[0]] ?? "" }
                for key in values.dropLast() {
                    if let v = environment[key], !v.isEmpty { return v }
                }
                return values[values.count - 1]
            case "must_env":
                guard values.count == 1 else {
                    throw error(at: open, "must_env takes one variable name, got \(values.count) arguments")
                }
                guard let v = environment[values[0]] else {
                    throw error(at: open, "environment variable \(values[0]) is not defined (must_env): set it, or use {{ env \"\(values[0])\" \"default\" }}")
                }
                return v
            case "json_escape":
                guard values.count == 1 else {
                    throw error(at: open, "json_escape takes one argument, got \(values.count)")
                }
                return Template.jsonEscape(values[0])
            default:
                // The parser only lets known names through.
                throw error(at: open, "unknown template function \(name)")
            }
        }
    }
}

/// Recursive descent over one action's tokens.
private struct ActionParser {
    static let functions: Set<String> = ["env", "must_env", "json_escape"]
    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "define", "template", "block",
                                        "break", "continue", "nil", "true", "false"]

    let tokens: [Token]
    let renderer: Renderer
    let open: Int
    var index = 0

    init(tokens: [Token], renderer: Renderer, open: Int) {
        self.tokens = tokens
        self.renderer = renderer
        self.open = open
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier(let n): return "'\(n)'"
        case .string: return "string"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .pipe: return "'|'"
        }
    }

    /// pipeline := command ('|' function operand*)*
    mutating func pipeline() throws -> Expression {
        var value = try command(piped: nil)
        while index < tokens.count, tokens[index].kind == .pipe {
            let bar = tokens[index]
            index += 1
            guard index < tokens.count, case .identifier = tokens[index].kind else {
                throw renderer.error(at: bar.offset, "'|' must be followed by a function name")
            }
            value = try command(piped: value)
        }
        return value
    }

    /// command := function operand* | operand
    mutating func command(piped: Expression?) throws -> Expression {
        guard index < tokens.count else {
            throw renderer.error(at: tokens.last?.offset ?? open, "missing value in template action")
        }
        let first = tokens[index]
        if case .identifier(let name) = first.kind {
            try checkFunction(name, at: first.offset)
            index += 1
            var arguments: [Expression] = []
            while let operand = try operand() { arguments.append(operand) }
            if let piped { arguments.append(piped) }
            return .call(name: name, arguments: arguments, offset: first.offset)
        }
        guard let value = try operand() else {
            throw renderer.error(at: first.offset, "unexpected \(describe(first)) in template action")
        }
        if index < tokens.count, tokens[index].kind != .pipe, tokens[index].kind != .rightParen {
            throw renderer.error(at: tokens[index].offset, "only a function can take arguments")
        }
        return value
    }

    /// operand := string | identifier-as-call-without-arguments | '(' pipeline ')'; nil at a
    /// token that ends a command.
    mutating func operand() throws -> Expression? {
        guard index < tokens.count else { return nil }
        let t = tokens[index]
        switch t.kind {
        case .string(let s):
            index += 1
            return .literal(s)
        case .leftParen:
            index += 1
            let inner = try pipeline()
            guard index < tokens.count, tokens[index].kind == .rightParen else {
                throw renderer.error(at: t.offset, "unclosed '(' in template action")
            }
            index += 1
            return inner
        case .identifier(let name):
            // Go calls a bare function name used as an argument with no arguments.
            try checkFunction(name, at: t.offset)
            index += 1
            return .call(name: name, arguments: [], offset: t.offset)
        case .pipe, .rightParen:
            return nil
        }
    }

    func checkFunction(_ name: String, at offset: Int) throws {
        if Self.functions.contains(name) { return }
        if Self.keywords.contains(name) {
            throw renderer.error(at: offset, "template keyword '\(name)' is not supported (only env, must_env and json_escape are)")
        }
        throw renderer.error(at: offset, "unknown template function \(name) (ecsh supports env, must_env and json_escape; ecspresso plugins such as tfstate or ssm are not available)")
    }
}

extension Template {
    /// `s` as Go's json.Marshal writes it inside quotes, HTML-safe escapes included, so that
    /// files render byte-for-byte as ecspresso renders them.
    static func jsonEscape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(u.value)
            default:
                if u.value < 0x20 { out += "\\u" + hex4(u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
