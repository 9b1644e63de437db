/// Recursive-descent parser from tokens to `Stmt`s, collecting every syntax error it can
/// recover from (one per statement) so `ecsh check` reports them all.
struct Parser {
    static let maxNesting = 200
    static let maxOperators = 10_000

    private let file: SourceFile
    private var tokens: [Token]
    private var pos = 0
    /// Inside `( )`, `[ ]` and map `{ }` newlines do not end anything; inside a block they do.
    private var ignoreNewlines: [Bool] = [false]
    private var nesting = 0
    private var operators = 0
    private(set) var diagnostics: [Diagnostic] = []

    init(file: SourceFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    /// Parses a whole file; throws the first lexical error, and returns syntax errors in `diagnostics`.
    static func parse(_ file: SourceFile) -> (statements: [Stmt], diagnostics: [Diagnostic]) {
        let tokens: [Token]
        do { tokens = try Lexer.tokenize(file) } catch { return ([], [error]) }
        var p = Parser(file: file, tokens: tokens)
        let stmts = p.parseProgram()
        return (stmts, p.diagnostics)
    }

    // MARK: tokens

    private func range(_ s: Int, _ e: Int) -> SourceRange { SourceRange(file: file, start: s, end: e) }
    private func range(_ t: Token) -> SourceRange { range(t.start, t.end) }

    private mutating func peek() -> Token {
        if ignoreNewlines.last == true {
            while tokens[pos].kind == .newline { pos += 1 }
        }
        return tokens[pos]
    }

    private mutating func advance() -> Token {
        let t = peek()
        if t.kind != .eof { pos += 1 }
        return t
    }

    private var previousEnd: Int { pos > 0 ? tokens[pos - 1].end : 0 }

    private mutating func check(_ p: Punct) -> Bool { peek().kind == .punct(p) }
    private mutating func check(_ k: Keyword) -> Bool { peek().kind == .keyword(k) }

    private mutating func match(_ p: Punct) -> Bool {
        if check(p) { _ = advance(); return true }
        return false
    }

    private mutating func match(_ k: Keyword) -> Bool {
        if check(k) { _ = advance(); return true }
        return false
    }

    private mutating func skipNewlines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    private mutating func error(_ message: String, at t: Token) -> Diagnostic {
        Diagnostic(.syntax, message, at: range(t), atEndOfInput: t.kind == .eof)
    }

    private mutating func expect(_ p: Punct, _ what: String) throws(Diagnostic) -> Token {
        let t = peek()
        guard t.kind == .punct(p) else { throw error("expected \(what), found \(t.kind.display)", at: t) }
        return advance()
    }

    /// Like `expect`, but at the end of input the error points at the unclosed opener.
    private mutating func expectClose(_ p: Punct, opener: Token, _ what: String, _ openerText: String) throws(Diagnostic) -> Token {
        let t = peek()
        if t.kind == .eof {
            let closer = p.rawValue
            throw Diagnostic(.syntax, "expected '\(closer)' to close \(openerText)", at: range(opener), atEndOfInput: true)
        }
        return try expect(p, what)
    }

    private mutating func expectIdentifier(_ what: String) throws(Diagnostic) -> (String, SourceRange) {
        let t = peek()
        guard case .identifier(let name) = t.kind else {
            if case .keyword(let k) = t.kind {
                throw error("expected \(what), found keyword '\(k.rawValue)' (keywords cannot be used as names)", at: t)
            }
            throw error("expected \(what), found \(t.kind.display)", at: t)
        }
        _ = advance()
        return (name, range(t))
    }

    private mutating func withNewlines<T>(ignored: Bool, _ body: (inout Parser) throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        ignoreNewlines.append(ignored)
        defer { ignoreNewlines.removeLast() }
        return try body(&self)
    }

    private mutating func nest(at t: Token) throws(Diagnostic) {
        nesting += 1
        if nesting > Self.maxNesting {
            throw Diagnostic(.syntax, "nested too deeply (more than \(Self.maxNesting) levels of brackets, blocks or operators)", at: range(t))
        }
    }

    // MARK: statements

    mutating func parseProgram() -> [Stmt] {
        var stmts: [Stmt] = []
        while true {
            skipSeparators()
            if peek().kind == .eof { break }
            do {
                stmts.append(try parseStatement())
                try endOfStatement(inBlock: false)
            } catch {
                diagnostics.append(error)
                if error.atEndOfInput { break }
                synchronize()
            }
        }
        return stmts
    }

    private mutating func skipSeparators() {
        while tokens[pos].kind == .newline || tokens[pos].kind == .punct(.semicolon) { pos += 1 }
    }

    /// After an error, skip to the start of the next statement at the same depth, and past
    /// the closing braces of blocks the error was inside (they would only report again).
    private mutating func synchronize() {
        defer {
            while tokens[pos].kind == .punct(.rbrace) || tokens[pos].kind == .newline { pos += 1 }
        }
        ignoreNewlines = [false]
        nesting = 0
        var depth = 0
        while true {
            let t = tokens[pos]
            switch t.kind {
            case .eof: return
            case .punct(.lbrace), .punct(.lparen), .punct(.lbracket): depth += 1
            case .punct(.rbrace), .punct(.rparen), .punct(.rbracket): depth -= 1
            case .newline, .punct(.semicolon):
                if depth <= 0 { pos += 1; return }
            default: break
            }
            pos += 1
        }
    }

    private mutating func endOfStatement(inBlock: Bool) throws(Diagnostic) {
        let t = tokens[pos]
        switch t.kind {
        case .newline, .punct(.semicolon), .eof: return
        case .punct(.rbrace) where inBlock: return
        default:
            // `retrun x`, `lte x = 1`: a misspelt keyword reads as a name followed by more.
            if pos > 0, case .identifier(let word) = tokens[pos - 1].kind,
               pos < 2 || [Token.Kind.newline, .punct(.semicolon), .punct(.lbrace), .punct(.rbrace)].contains(tokens[pos - 2].kind),
               let k = suggestion(for: word, among: Keyword.allCases.map(\.rawValue)) {
                throw Diagnostic(.syntax, "unknown word '\(word)' (did you mean the keyword '\(k)'?)", at: range(tokens[pos - 1]))
            }
            throw error("expected end of statement (a new line or ';'), found \(t.kind.display)", at: t)
        }
    }

    private mutating func parseBlock() throws(Diagnostic) -> [Stmt] {
        let open = peek()
        guard open.kind == .punct(.lbrace) else { throw error("expected '{' to start a block, found \(open.kind.display)", at: open) }
        try nest(at: open)
        defer { nesting -= 1 }
        return try withNewlines(ignored: false) { (p: inout Parser) throws(Diagnostic) -> [Stmt] in
            _ = p.advance()
            var stmts: [Stmt] = []
            while true {
                p.skipSeparators()
                let t = p.tokens[p.pos]
                if t.kind == .punct(.rbrace) { p.pos += 1; return stmts }
                if t.kind == .eof {
                    throw Diagnostic(.syntax, "expected '}' to close the block opened here", at: p.range(open), atEndOfInput: true)
                }
                stmts.append(try p.parseStatement())
                try p.endOfStatement(inBlock: true)
            }
        }
    }

    private mutating func parseStatement() throws(Diagnostic) -> Stmt {
        // A statement inside a function literal counts afresh; the enclosing one resumes after.
        let savedOperators = operators
        operators = 0
        defer { operators = savedOperators }
        let t = peek()
        switch t.kind {
        case .keyword(.let), .keyword(.var):
            _ = advance()
            let isConst = t.kind == .keyword(.let)
            let (name, nameRange) = try expectIdentifier("a name after '\(isConst ? "let" : "var")'")
            let value: Expr
            if match(.assign) {
                skipNewlines()
                value = try parseExpression()
            } else if isConst {
                throw error("expected '=' and a value: a 'let' constant needs one", at: peek())
            } else {
                value = .literal(.nil, nameRange)
            }
            return .declare(isConst: isConst, name: name, nameRange: nameRange, value: value, range(t.start, previousEnd))
        case .keyword(.fn):
            if case .identifier = tokens[pos + 1].kind { return .function(try parseFunction()) }
            return try parseExpressionStatement()
        case .keyword(.if): return try parseIf()
        case .keyword(.while):
            _ = advance()
            let cond = try parseCondition("while")
            let body = try parseBlock()
            return .while(cond, body, range(t.start, previousEnd))
        case .keyword(.for):
            _ = advance()
            let first = try expectIdentifier("a loop variable after 'for'")
            var second: (String, SourceRange)?
            if match(.comma) { second = try expectIdentifier("a second loop variable after ','") }
            guard match(.in) else { throw error("expected 'in' after the loop variable, found \(peek().kind.display)", at: peek()) }
            let iterable = try parseExpression()
            let body = try parseBlock()
            return .for(first: first, second: second, iterable: iterable, body: body, range(t.start, previousEnd))
        case .keyword(.break): _ = advance(); return .break(range(t))
        case .keyword(.continue): _ = advance(); return .continue(range(t))
        case .keyword(.return):
            _ = advance()
            let n = tokens[pos].kind
            if n == .newline || n == .punct(.semicolon) || n == .punct(.rbrace) || n == .eof {
                return .return(nil, range(t))
            }
            let e = try parseExpression()
            return .return(e, range(t.start, previousEnd))
        case .keyword(.try):
            _ = advance()
            let body = try parseBlock()
            skipNewlines()
            guard match(.catch) else { throw error("expected 'catch' after the 'try' block, found \(peek().kind.display)", at: peek()) }
            var name: (String, SourceRange)?
            if case .identifier = peek().kind { name = try expectIdentifier("an error name") }
            let handler = try parseBlock()
            return .try(body: body, errorName: name, handler: handler, range(t.start, previousEnd))
        case .keyword(.import):
            _ = advance()
            let pt = peek()
            guard case .string(let parts) = pt.kind else { throw error("expected a file path string after 'import'", at: pt) }
            var path = ""
            for part in parts {
                guard case .text(let s) = part else { throw error("an import path cannot interpolate", at: pt) }
                path += s
            }
            _ = advance()
            guard match(.as) else { throw error("expected 'as' and a name after the import path, as in import \"lib.ecsh\" as lib", at: peek()) }
            let (alias, aliasRange) = try expectIdentifier("a module name after 'as'")
            return .import(path: path, alias: alias, aliasRange: aliasRange, range(t.start, previousEnd))
        case .punct(.lbrace):
            // A `{` at the start of a statement is a block, unless it starts a map entry
            // (`{a: 1}`, `{"k": v}`): blocks never begin with `name:`.
            let next = tokens[pos + 1].kind, after = tokens[min(pos + 2, tokens.count - 1)].kind
            var startsMap = false
            if after == .punct(.colon) {
                if case .identifier = next { startsMap = true }
                if case .string = next { startsMap = true }
            }
            if startsMap { return try parseExpressionStatement() }
            let body = try parseBlock()
            return .block(body, range(t.start, previousEnd))
        case .keyword(.else):
            throw error("'else' without a matching 'if'", at: t)
        case .keyword(.catch):
            throw error("'catch' without a matching 'try'", at: t)
        default:
            return try parseExpressionStatement()
        }
    }

    /// The condition of `if` or `while`; `if code = 1 {` is a comparison mistyped.
    private mutating func parseCondition(_ keyword: String) throws(Diagnostic) -> Expr {
        let cond = try parseExpression()
        let t = peek()
        if t.kind == .punct(.assign) {
            throw error("'=' assigns and cannot stand in the condition of '\(keyword)': to compare, use '=='", at: t)
        }
        return cond
    }

    private mutating func parseIf() throws(Diagnostic) -> Stmt {
        let t = advance()
        let cond = try parseCondition("if")
        let body = try parseBlock()
        var elseBody: [Stmt]?
        // `else` may start the next line.
        var look = pos
        while tokens[look].kind == .newline { look += 1 }
        if tokens[look].kind == .keyword(.else) {
            pos = look + 1
            if check(.if) { elseBody = [try parseIf()] } else { elseBody = try parseBlock() }
        }
        return .if(cond, body, else: elseBody, range(t.start, previousEnd))
    }

    private mutating func parseExpressionStatement() throws(Diagnostic) -> Stmt {
        let start = peek()
        let e = try parseExpression()
        let opToken = peek()
        let op: BinaryOp??
        switch opToken.kind {
        case .punct(.assign): op = .some(nil)
        case .punct(.plusAssign): op = .add
        case .punct(.minusAssign): op = .sub
        case .punct(.starAssign): op = .mul
        case .punct(.slashAssign): op = .div
        case .punct(.percentAssign): op = .mod
        default: op = .none
        }
        guard let op else { return .expr(e) }
        switch e {
        case .name, .index, .field(_, _, optional: false, _, _): break
        default:
            throw Diagnostic(.syntax, "cannot assign to this expression: the left side of '\(opToken.kind.display.dropFirst().dropLast())' must be a name, an index a[i] or a field m.k", at: e.range)
        }
        _ = advance()
        skipNewlines()
        let value = try parseExpression()
        return .assign(target: e, op: op, value: value, range(start.start, previousEnd))
    }

    private mutating func parseFunction() throws(Diagnostic) -> FunctionSyntax {
        let fnTok = advance()
        var name: String?
        var nameRange: SourceRange?
        if case .identifier = peek().kind {
            let (n, r) = try expectIdentifier("a function name")
            name = n
            nameRange = r
        }
        _ = try expect(.lparen, "'(' to start the parameter list")
        let params = try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> [Parameter] in
            var params: [Parameter] = []
            while !p.check(.rparen) {
                let (pname, prange) = try p.expectIdentifier("a parameter name")
                var def: Expr?
                if p.match(.assign) { def = try p.parseExpression() }
                else if let last = params.last, last.defaultValue != nil {
                    throw Diagnostic(.syntax, "parameter '\(pname)' needs a default value because '\(last.name)' before it has one", at: prange)
                }
                if params.contains(where: { $0.name == pname }) {
                    throw Diagnostic(.syntax, "duplicate parameter '\(pname)'", at: prange)
                }
                params.append(Parameter(name: pname, range: prange, defaultValue: def))
                if !p.match(.comma) { break }
            }
            _ = try p.expect(.rparen, "',' or ')' in the parameter list")
            return params
        }
        if match(.arrow) {
            skipNewlines()
            let e = try parseExpression()
            return FunctionSyntax(name: name, nameRange: nameRange, parameters: params, body: [.return(e, e.range)],
                                  isArrow: true, range: range(fnTok.start, previousEnd))
        }
        let body = try parseBlock()
        return FunctionSyntax(name: name, nameRange: nameRange, parameters: params, body: body, isArrow: false,
                              range: range(fnTok.start, previousEnd))
    }

    // MARK: expressions

    mutating func parseExpression() throws(Diagnostic) -> Expr {
        try nest(at: peek())
        defer { nesting -= 1 }
        return try parseCoalesce()
    }

    /// Counts operators so a left-deep chain (`1 + 1 + ... + 1`) cannot grow deeper than
    /// the tree walkers may recurse.
    private mutating func afterOperator() throws(Diagnostic) {
        operators += 1
        if operators > Self.maxOperators {
            throw Diagnostic(.syntax, "expression is too long (more than \(Self.maxOperators) operators): split it into smaller ones",
                             at: range(tokens[max(0, pos - 1)]))
        }
        skipNewlines()
    }

    private mutating func parseCoalesce() throws(Diagnostic) -> Expr {
        var left = try parseOr()
        while match(.questionQuestion) {
            try afterOperator()
            let right = try parseOr()
            left = .coalesce(left, right, left.range.to(right.range))
        }
        return left
    }

    private mutating func parseOr() throws(Diagnostic) -> Expr {
        var left = try parseAnd()
        while match(.or) {
            try afterOperator()
            let right = try parseAnd()
            left = .or(left, right, left.range.to(right.range))
        }
        return left
    }

    private mutating func parseAnd() throws(Diagnostic) -> Expr {
        var left = try parseNot()
        while match(.and) {
            try afterOperator()
            let right = try parseNot()
            left = .and(left, right, left.range.to(right.range))
        }
        return left
    }

    private mutating func parseNot() throws(Diagnostic) -> Expr {
        let t = peek()
        if t.kind == .keyword(.not) {
            _ = advance()
            try nest(at: t)
            defer { nesting -= 1 }
            let operand = try parseNot()
            return .unary(.not, operand, range(t).to(operand.range))
        }
        return try parseComparison()
    }

    private mutating func comparisonOperator() -> (BinaryOp, negate: Bool, length: Int)? {
        let t = peek()
        switch t.kind {
        case .punct(.eq): return (.eq, false, 1)
        case .punct(.ne): return (.ne, false, 1)
        case .punct(.lt): return (.lt, false, 1)
        case .punct(.le): return (.le, false, 1)
        case .punct(.gt): return (.gt, false, 1)
        case .punct(.ge): return (.ge, false, 1)
        case .keyword(.in): return (.in, false, 1)
        case .keyword(.not):
            if tokens[pos + 1].kind == .keyword(.in) { return (.in, true, 2) }
            return nil
        default: return nil
        }
    }

    private mutating func parseComparison() throws(Diagnostic) -> Expr {
        let left = try parseRange()
        guard let (op, negate, length) = comparisonOperator() else { return left }
        for _ in 0..<length { _ = advance() }
        try afterOperator()
        let right = try parseRange()
        var e = Expr.binary(op, left, right, left.range.to(right.range))
        if negate { e = .unary(.not, e, e.range) }
        if let (_, _, _) = comparisonOperator() {
            throw error("comparisons cannot be chained: write 'a < b and b < c'", at: peek())
        }
        return e
    }

    private mutating func parseRange() throws(Diagnostic) -> Expr {
        let left = try parseAdditive()
        let t = peek()
        guard t.kind == .punct(.dotDot) || t.kind == .punct(.dotDotEq) else { return left }
        _ = advance()
        try afterOperator()
        let right = try parseAdditive()
        return .range(left, right, closed: t.kind == .punct(.dotDotEq), left.range.to(right.range))
    }

    private mutating func parseAdditive() throws(Diagnostic) -> Expr {
        var left = try parseMultiplicative()
        while true {
            let op: BinaryOp
            switch peek().kind {
            case .punct(.plus): op = .add
            case .punct(.minus): op = .sub
            default: return left
            }
            _ = advance()
            try afterOperator()
            let right = try parseMultiplicative()
            left = .binary(op, left, right, left.range.to(right.range))
        }
    }

    private mutating func parseMultiplicative() throws(Diagnostic) -> Expr {
        var left = try parseUnary()
        while true {
            let op: BinaryOp
            switch peek().kind {
            case .punct(.star): op = .mul
            case .punct(.slash): op = .div
            case .punct(.percent): op = .mod
            default: return left
            }
            _ = advance()
            try afterOperator()
            let right = try parseUnary()
            left = .binary(op, left, right, left.range.to(right.range))
        }
    }

    private mutating func parseUnary() throws(Diagnostic) -> Expr {
        let t = peek()
        if t.kind == .punct(.minus) {
            _ = advance()
            let n = peek()
            if n.kind == .intMinMagnitude {
                _ = advance()
                return .literal(.int(.min), range(t).to(range(n)))
            }
            try nest(at: t)
            defer { nesting -= 1 }
            let operand = try parseUnary()
            // Fold negative literals so that -9223372036854775808 is not an overflow.
            if case .literal(.int(let v), let r) = operand, v != .min { return .literal(.int(-v), range(t).to(r)) }
            if case .literal(.float(let v), let r) = operand { return .literal(.float(-v), range(t).to(r)) }
            if case .literal(.duration(let v), let r) = operand, v != .min { return .literal(.duration(-v), range(t).to(r)) }
            return .unary(.negate, operand, range(t).to(operand.range))
        }
        if t.kind == .punct(.plus) {
            throw error("unexpected '+': there is no unary plus", at: t)
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws(Diagnostic) -> Expr {
        var e = try parsePrimary()
        while true {
            let t = peek()
            if t.kind == .punct(.lparen) || t.kind == .punct(.lbracket) || t.kind == .punct(.dot) || t.kind == .punct(.questionDot) {
                operators += 1
                if operators > Self.maxOperators {
                    throw Diagnostic(.syntax, "expression is too long (more than \(Self.maxOperators) operators): split it into smaller ones", at: range(t))
                }
            }
            switch t.kind {
            case .punct(.lparen):
                _ = advance()
                let args = try parseArguments(open: t)
                e = .call(e, args, e.range.to(range(t.start, previousEnd)))
            case .punct(.lbracket):
                _ = advance()
                let index = try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> Expr in
                    let i = try p.parseExpression()
                    _ = try p.expect(.rbracket, "']' after the index")
                    return i
                }
                e = .index(e, index, e.range.to(range(t.start, previousEnd)))
            case .punct(.dot), .punct(.questionDot):
                _ = advance()
                let (name, nameRange) = try expectIdentifier("a field or method name after '\(t.kind == .punct(.dot) ? "." : "?.")'")
                e = .field(e, name, optional: t.kind == .punct(.questionDot), nameRange: nameRange, e.range.to(nameRange))
            default:
                return e
            }
        }
    }

    private mutating func parseArguments(open: Token) throws(Diagnostic) -> [Argument] {
        try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> [Argument] in
            var args: [Argument] = []
            while !p.check(.rparen) {
                var label: String?
                var labelRange: SourceRange?
                if case .identifier(let name) = p.peek().kind, p.tokens[p.pos + 1].kind == .punct(.colon) {
                    let lt = p.advance()
                    _ = p.advance()
                    label = name
                    labelRange = p.range(lt)
                    if args.contains(where: { $0.label == name }) {
                        throw Diagnostic(.syntax, "argument '\(name)' is given twice", at: p.range(lt))
                    }
                } else if args.last?.label != nil {
                    throw Diagnostic(.syntax, "a positional argument cannot follow a named one", at: p.range(p.peek()))
                }
                let value = try p.parseExpression()
                args.append(Argument(label: label, labelRange: labelRange, value: value))
                if !p.match(.comma) { break }
            }
            _ = try p.expectClose(.rparen, opener: open, "',' or ')' after the argument", "the call opened here")
            return args
        }
    }

    private mutating func parsePrimary() throws(Diagnostic) -> Expr {
        let t = peek()
        switch t.kind {
        case .int(let v): _ = advance(); return .literal(.int(v), range(t))
        case .float(let v): _ = advance(); return .literal(.float(v), range(t))
        case .duration(let v): _ = advance(); return .literal(.duration(v), range(t))
        case .keyword(.true): _ = advance(); return .literal(.bool(true), range(t))
        case .keyword(.false): _ = advance(); return .literal(.bool(false), range(t))
        case .keyword(.nil): _ = advance(); return .literal(.nil, range(t))
        case .identifier(let name): _ = advance(); return .name(name, range(t))
        case .string(let parts):
            _ = advance()
            return try stringExpr(parts, range(t))
        case .keyword(.fn):
            return .function(try parseFunction())
        case .punct(.lparen):
            // parseExpression counts the level of what is inside.
            return try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> Expr in
                _ = p.advance()
                let e = try p.parseExpression()
                _ = try p.expectClose(.rparen, opener: t, "')' to close '('", "the '(' opened here")
                return e
            }
        case .punct(.lbracket):
            // parseExpression counts the level of what is inside.
            return try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> Expr in
                _ = p.advance()
                var items: [Expr] = []
                while !p.check(.rbracket) {
                    items.append(try p.parseExpression())
                    if !p.match(.comma) { break }
                }
                _ = try p.expectClose(.rbracket, opener: t, "',' or ']' in the list", "the list opened here")
                return .list(items, p.range(t.start, p.previousEnd))
            }
        case .punct(.lbrace):
            // parseExpression counts the level of what is inside.
            return try withNewlines(ignored: true) { (p: inout Parser) throws(Diagnostic) -> Expr in
                _ = p.advance()
                var entries: [(Expr, Expr)] = []
                while !p.check(.rbrace) {
                    let kt = p.peek()
                    let key: Expr
                    if case .identifier(let name) = kt.kind, p.tokens[p.pos + 1].kind == .punct(.colon) {
                        _ = p.advance()
                        key = .literal(.string(name), p.range(kt))
                    } else {
                        key = try p.parseExpression()
                    }
                    _ = try p.expect(.colon, "':' after the map key")
                    let value = try p.parseExpression()
                    entries.append((key, value))
                    if !p.match(.comma) { break }
                }
                _ = try p.expectClose(.rbrace, opener: t, "',' or '}' in the map", "the map opened here")
                return .map(entries, p.range(t.start, p.previousEnd))
            }
        case .intMinMagnitude:
            throw error("integer literal is too large for a 64-bit Int", at: t)
        case .eof:
            throw error("expected an expression, found end of input", at: t)
        default:
            throw error("expected an expression, found \(t.kind.display)", at: t)
        }
    }

    private mutating func stringExpr(_ parts: [StringPart], _ r: SourceRange) throws(Diagnostic) -> Expr {
        if parts.isEmpty { return .literal(.string(""), r) }
        if parts.count == 1, case .text(let s) = parts[0] { return .literal(.string(s), r) }
        var out: [InterpolationPart] = []
        for part in parts {
            switch part {
            case .text(let s): out.append(.text(s))
            case .code(let inner, let start, let end):
                var sub = Parser(file: file, tokens: inner + [Token(kind: .eof, start: end, end: end)])
                sub.ignoreNewlines = [true]
                sub.nesting = nesting
                if inner.isEmpty { throw Diagnostic(.syntax, "empty interpolation '${}'", at: range(start - 2, end + 1)) }
                let e = try sub.parseExpression()
                let rest = sub.peek()
                if rest.kind != .eof {
                    throw Diagnostic(.syntax, "expected '}' to end the interpolation, found \(rest.kind.display)", at: range(rest))
                }
                out.append(.expr(e))
            }
        }
        return .string(out, r)
    }
}
