/// Turns source bytes into tokens. Newlines are tokens; the parser decides where they matter.
struct Lexer {
    let file: SourceFile
    private let b: [UInt8]
    private var i: Int
    private let limit: Int
    /// How many `${` this lexer is inside; bounded like the parser's nesting.
    private var interpolationDepth = 0

    init(file: SourceFile, from start: Int = 0, to end: Int? = nil) {
        self.file = file
        self.b = file.bytes
        self.i = start
        self.limit = end ?? file.bytes.count
    }

    /// All tokens up to the end, ending with `.eof`.
    static func tokenize(_ file: SourceFile) throws(Diagnostic) -> [Token] {
        try validateUTF8(file)
        var lexer = Lexer(file: file)
        // A UTF-8 byte order mark is not part of the script.
        if file.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { lexer.i = 3 }
        // A first line starting with `#!` is a shebang: skip it.
        if file.bytes[lexer.i...].starts(with: [0x23, 0x21]) {
            while lexer.i < lexer.limit, lexer.b[lexer.i] != 0x0A { lexer.i += 1 }
        }
        var tokens: [Token] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    private static func validateUTF8(_ file: SourceFile) throws(Diagnostic) {
        let bytes = file.bytes
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            var need = 0
            if c < 0x80 {
                if c == 0 { throw Diagnostic(.syntax, "unexpected NUL byte: this does not look like a text file", at: SourceRange(file: file, start: i, end: i + 1)) }
                i += 1; continue
            } else if c & 0xE0 == 0xC0, c >= 0xC2 { need = 1 }
            else if c & 0xF0 == 0xE0 { need = 2 }
            else if c & 0xF8 == 0xF0, c <= 0xF4 { need = 3 }
            else { need = -1 }
            var ok = need > 0
            if ok {
                for k in 1...need where i + k >= bytes.count || bytes[i + k] & 0xC0 != 0x80 { ok = false; break }
            }
            if !ok {
                throw Diagnostic(.syntax, "invalid UTF-8 byte 0x\(String(c, radix: 16, uppercase: true)): this does not look like a text file",
                                 at: SourceRange(file: file, start: i, end: i + 1))
            }
            i += need + 1
        }
    }

    private func range(_ s: Int, _ e: Int) -> SourceRange { SourceRange(file: file, start: s, end: e) }

    private func peekByte(_ k: Int = 0) -> UInt8 { i + k < limit ? b[i + k] : 0 }

    mutating func next() throws(Diagnostic) -> Token {
        // Skip blanks and comments.
        while i < limit {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1 }
            else if c == 0x23 { while i < limit, b[i] != 0x0A { i += 1 } }
            else if c == 0x5C, peekByte(1) == 0x0A { i += 2 } // backslash-newline joins lines
            else { break }
        }
        let start = i
        guard i < limit else { return Token(kind: .eof, start: limit, end: limit) }
        let c = b[i]
        if c == 0x0A { i += 1; return Token(kind: .newline, start: start, end: i) }
        if isIdentStart(c) {
            while i < limit, isIdentPart(b[i]) { i += 1 }
            let word = String(decoding: b[start..<i], as: UTF8.self)
            if let k = Keyword(rawValue: word) { return Token(kind: .keyword(k), start: start, end: i) }
            return Token(kind: .identifier(word), start: start, end: i)
        }
        if isDigit(c) { return try number() }
        if c == 0x22 { return try quoted() }
        if c == 0x27 {
            i += 1
            let s = i
            while i < limit, b[i] != 0x27 { i += 1 }
            guard i < limit else {
                throw Diagnostic(.syntax, "unterminated string: expected a closing '", at: range(start, start + 1), atEndOfInput: true)
            }
            let text = String(decoding: b[s..<i], as: UTF8.self)
            i += 1
            return Token(kind: .string([.text(text)]), start: start, end: i)
        }
        return try punct(start)
    }

    private mutating func punct(_ start: Int) throws(Diagnostic) -> Token {
        let c = b[i], n = peekByte(1), n2 = peekByte(2)
        func tok(_ p: Punct, _ len: Int) -> Token { Token(kind: .punct(p), start: start, end: start + len) }
        var t: Token
        switch c {
        case UInt8(ascii: "("): t = tok(.lparen, 1)
        case UInt8(ascii: ")"): t = tok(.rparen, 1)
        case UInt8(ascii: "["): t = tok(.lbracket, 1)
        case UInt8(ascii: "]"): t = tok(.rbracket, 1)
        case UInt8(ascii: "{"): t = tok(.lbrace, 1)
        case UInt8(ascii: "}"): t = tok(.rbrace, 1)
        case UInt8(ascii: ","): t = tok(.comma, 1)
        case UInt8(ascii: ":"): t = tok(.colon, 1)
        case UInt8(ascii: ";"): t = tok(.semicolon, 1)
        case UInt8(ascii: "."):
            if n == UInt8(ascii: ".") { t = n2 == UInt8(ascii: "=") ? tok(.dotDotEq, 3) : tok(.dotDot, 2) } else { t = tok(.dot, 1) }
        case UInt8(ascii: "?"):
            if n == UInt8(ascii: ".") { t = tok(.questionDot, 2) }
            else if n == UInt8(ascii: "?") { t = tok(.questionQuestion, 2) }
            else { throw Diagnostic(.syntax, "unexpected '?': did you mean '?.' or '??'", at: range(start, start + 1)) }
        case UInt8(ascii: "+"): t = n == UInt8(ascii: "=") ? tok(.plusAssign, 2) : tok(.plus, 1)
        case UInt8(ascii: "-"): t = n == UInt8(ascii: "=") ? tok(.minusAssign, 2) : tok(.minus, 1)
        case UInt8(ascii: "*"): t = n == UInt8(ascii: "=") ? tok(.starAssign, 2) : tok(.star, 1)
        case UInt8(ascii: "/"): t = n == UInt8(ascii: "=") ? tok(.slashAssign, 2) : tok(.slash, 1)
        case UInt8(ascii: "%"): t = n == UInt8(ascii: "=") ? tok(.percentAssign, 2) : tok(.percent, 1)
        case UInt8(ascii: "="):
            t = n == UInt8(ascii: "=") ? tok(.eq, 2) : (n == UInt8(ascii: ">") ? tok(.arrow, 2) : tok(.assign, 1))
        case UInt8(ascii: "!"):
            guard n == UInt8(ascii: "=") else {
                throw Diagnostic(.syntax, "unexpected '!': use 'not' for negation", at: range(start, start + 1))
            }
            t = tok(.ne, 2)
        case UInt8(ascii: "<"): t = n == UInt8(ascii: "=") ? tok(.le, 2) : tok(.lt, 1)
        case UInt8(ascii: ">"): t = n == UInt8(ascii: "=") ? tok(.ge, 2) : tok(.gt, 1)
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            let word = c == UInt8(ascii: "&") ? "and" : "or"
            throw Diagnostic(.syntax, "unexpected '\(Character(Unicode.Scalar(c)))': use '\(word)'", at: range(start, start + 1))
        default:
            var end = start + 1
            while end < limit, b[end] & 0xC0 == 0x80 { end += 1 }
            let ch = String(decoding: b[start..<end], as: UTF8.self)
            let shown = c < 0x20 || c == 0x7F ? "byte 0x\(String(c, radix: 16, uppercase: true))" : "character '\(ch)'"
            throw Diagnostic(.syntax, "unexpected \(shown)", at: range(start, end))
        }
        i = t.end
        return t
    }

    private mutating func number() throws(Diagnostic) -> Token {
        let start = i
        if b[i] == UInt8(ascii: "0"), peekByte(1) == UInt8(ascii: "x") || peekByte(1) == UInt8(ascii: "X") {
            i += 2
            var value = 0
            var digits = 0
            while i < limit, isHex(b[i]) || b[i] == UInt8(ascii: "_") {
                if b[i] != UInt8(ascii: "_") {
                    let (m, o1) = value.multipliedReportingOverflow(by: 16)
                    let (s, o2) = m.addingReportingOverflow(hexValue(b[i]))
                    if o1 || o2 { throw Diagnostic(.syntax, "integer literal is too large for a 64-bit Int", at: range(start, i + 1)) }
                    value = s; digits += 1
                }
                i += 1
            }
            if digits == 0 { throw Diagnostic(.syntax, "expected hexadecimal digits after '0x'", at: range(start, i)) }
            try rejectTrailingLetters(start)
            return Token(kind: .int(value), start: start, end: i)
        }
        var total = 0 // nanoseconds, when this turns out to be a duration
        var isDuration = false
        while true {
            let numStart = i
            var isFloat = false
            while i < limit, isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
            if peekByte() == UInt8(ascii: "."), isDigit(peekByte(1)) {
                isFloat = true
                i += 1
                while i < limit, isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
            }
            if peekByte() == UInt8(ascii: "e") || peekByte() == UInt8(ascii: "E") {
                let save = i
                i += 1
                if peekByte() == UInt8(ascii: "+") || peekByte() == UInt8(ascii: "-") { i += 1 }
                if isDigit(peekByte()) {
                    isFloat = true
                    while i < limit, isDigit(b[i]) { i += 1 }
                } else { i = save }
            }
            let text = String(decoding: b[numStart..<i].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            // A unit right after the number makes it a duration.
            if let (unit, len) = durationUnit() {
                i += len
                guard let v = Double(text) else { throw Diagnostic(.syntax, "invalid duration literal", at: range(start, i)) }
                let ns = v * Double(unit)
                guard ns.isFinite, abs(ns) < 9.2e18, abs(Double(total) + ns) < 9.2e18 else {
                    throw Diagnostic(.syntax, "duration literal is too large", at: range(start, i))
                }
                total += Int(ns.rounded())
                isDuration = true
                if isDigit(peekByte()) { continue }
                try rejectTrailingLetters(start)
                return Token(kind: .duration(total), start: start, end: i)
            }
            if isDuration {
                throw Diagnostic(.syntax, "a duration part needs a unit (ms, s, m or h)", at: range(numStart, i))
            }
            try rejectTrailingLetters(start)
            if isFloat {
                guard let v = Double(text), v.isFinite else { throw Diagnostic(.syntax, "invalid number literal", at: range(start, i)) }
                return Token(kind: .float(v), start: start, end: i)
            }
            guard let v = Int(text) else {
                if text == "9223372036854775808" { return Token(kind: .intMinMagnitude, start: start, end: i) }
                throw Diagnostic(.syntax, "integer literal is too large for a 64-bit Int", at: range(start, i))
            }
            return Token(kind: .int(v), start: start, end: i)
        }
    }

    /// Units of duration literals, in nanoseconds; longest spelling first.
    private func durationUnit() -> (Int, Int)? {
        let units: [(String, Int)] = [("ms", 1_000_000), ("us", 1_000), ("ns", 1), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000)]
        for (name, ns) in units {
            let u = Array(name.utf8)
            var match = true
            for (k, ch) in u.enumerated() where peekByte(k) != ch { match = false; break }
            if match, !isIdentPart(peekByte(u.count)) || isDigit(peekByte(u.count)) { return (ns, u.count) }
        }
        return nil
    }

    private mutating func rejectTrailingLetters(_ start: Int) throws(Diagnostic) {
        if i < limit, isIdentPart(b[i]) {
            var e = i
            while e < limit, isIdentPart(b[e]) { e += 1 }
            throw Diagnostic(.syntax, "invalid number literal '\(String(decoding: b[start..<e], as: UTF8.self))'", at: range(start, e))
        }
    }

    /// A `"` string (one line) or a `"""` string (any number of lines): escapes and
    /// `${...}` interpolation.
    private mutating func quoted() throws(Diagnostic) -> Token {
        let start = i
        guard peekByte(1) == 0x22, peekByte(2) == 0x22 else { return try quotedBody(start: start, triple: false, indent: 0) }
        // Read once to find the closing `"""`: the blanks before it on its own line are the
        // indentation every line drops, as in Swift.
        let first = try quotedBody(start: start, triple: true, indent: 0)
        var k = first.end - 3, indent = 0
        while k > start + 3, b[k - 1] == 0x20 || b[k - 1] == 0x09 { k -= 1; indent += 1 }
        guard indent > 0, k > start + 3, b[k - 1] == 0x0A else { return first }
        i = start
        return try quotedBody(start: start, triple: true, indent: indent)
    }

    /// After a line break in a `"""` string: skips up to `indent` blanks; true when the
    /// line holds only the closing `"""` (the line break before it is not part of the text).
    private mutating func startLine(indent: Int) -> Bool {
        var k = i, n = 0
        while n < indent, k < limit, b[k] == 0x20 || b[k] == 0x09 { k += 1; n += 1 }
        i = k
        while k < limit, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
        if k + 2 < limit, b[k] == 0x22, b[k + 1] == 0x22, b[k + 2] == 0x22 { i = k; return true }
        return false
    }

    private mutating func quotedBody(start: Int, triple: Bool, indent: Int) throws(Diagnostic) -> Token {
        i = start + (triple ? 3 : 1)
        let quote = triple ? "\"\"\"" : "\""
        var parts: [StringPart] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))); text.removeAll() }
        }
        // The line break right after an opening `"""` is not part of the text.
        if triple, i < limit, b[i] == 0x0A { i += 1; _ = startLine(indent: indent) }
        while true {
            guard i < limit else {
                // More lines cannot close a one-line string: the REPL reports it at once.
                throw Diagnostic(.syntax, "unterminated string: expected a closing \(quote)", at: range(start, start + quote.utf8.count),
                                 atEndOfInput: triple || interpolationDepth > 0)
            }
            let c = b[i]
            if c == UInt8(ascii: "\""), !triple { i += 1; break }
            if c == UInt8(ascii: "\""), peekByte(1) == 0x22, peekByte(2) == 0x22 { i += 3; break }
            if c == 0x0A {
                guard triple else {
                    // Inside `${...}` this is usually the outer string's closing quote read as
                    // an opening one: the enclosing string reports its unclosed `${`.
                    throw Diagnostic(.syntax, "unterminated string: a \"...\" string must end on the line it starts; add the closing \" (for text over several lines use \"\"\"...\"\"\" or \\n)",
                                     at: range(start, start + 1), atEndOfInput: interpolationDepth > 0)
                }
                i += 1
                if !startLine(indent: indent) { text.append(0x0A) }
                continue
            }
            if c == UInt8(ascii: "\\") {
                let e = peekByte(1)
                switch e {
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "0"): text.append(0x00)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "'"): text.append(e)
                case UInt8(ascii: "u"):
                    guard peekByte(2) == UInt8(ascii: "{") else {
                        throw Diagnostic(.syntax, "expected '{' after \\u, as in \\u{1F600}", at: range(i, i + 2))
                    }
                    var k = i + 3, v: UInt32 = 0, n = 0
                    while k < limit, isHex(b[k]), n < 8 { v = v * 16 + UInt32(hexValue(b[k])); k += 1; n += 1 }
                    guard k < limit, b[k] == UInt8(ascii: "}"), n > 0, let scalar = Unicode.Scalar(v) else {
                        throw Diagnostic(.syntax, "invalid unicode escape", at: range(i, min(k + 1, limit)))
                    }
                    text.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i = k + 1
                    continue
                default:
                    if i + 1 >= limit {
                        throw Diagnostic(.syntax, "unterminated string: expected a closing \(quote)", at: range(start, start + 1), atEndOfInput: true)
                    }
                    throw Diagnostic(.syntax, "unknown escape sequence '\\\(Character(Unicode.Scalar(e)))': use \\n \\t \\r \\\\ \\\" \\$ or \\u{...}",
                                     at: range(i, i + 2))
                }
                i += 2
                continue
            }
            if c == UInt8(ascii: "$"), peekByte(1) == UInt8(ascii: "{") {
                flush()
                let codeStart = i + 2
                i += 2
                var inner: [Token] = []
                var depth = 0
                guard interpolationDepth < 32 else {
                    throw Diagnostic(.syntax, "interpolations nested too deeply (more than 32 levels)", at: range(codeStart - 2, codeStart))
                }
                var sub = Lexer(file: file, from: i, to: limit)
                sub.interpolationDepth = interpolationDepth + 1
                while true {
                    let t: Token
                    do { t = try sub.next() } catch where error.atEndOfInput {
                        // Usually a missing '}' before the string's closing quote.
                        throw Diagnostic(.syntax, "unterminated interpolation: expected '}' to close '${'", at: range(codeStart - 2, codeStart), atEndOfInput: true)
                    }
                    if t.kind == .eof {
                        throw Diagnostic(.syntax, "unterminated interpolation: expected '}' to close '${'", at: range(codeStart - 2, codeStart), atEndOfInput: true)
                    }
                    if t.kind == .punct(.lbrace) { depth += 1 }
                    if t.kind == .punct(.rbrace) {
                        if depth == 0 { i = t.end; parts.append(.code(inner, start: codeStart, end: t.start)); break }
                        depth -= 1
                    }
                    inner.append(t)
                }
                continue
            }
            text.append(c)
            i += 1
        }
        flush()
        return Token(kind: .string(parts), start: start, end: i)
    }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) private func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
@inline(__always) private func hexValue(_ c: UInt8) -> Int { isDigit(c) ? Int(c - 0x30) : Int((c | 0x20) - 0x61 + 10) }
@inline(__always) func isIdentStart(_ c: UInt8) -> Bool { (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F }
@inline(__always) func isIdentPart(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
