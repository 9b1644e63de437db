/// The parse tree of a template, after Go's text/template/parse.
indirect enum TemplateNode {
    case text(String)
    case action(TemplatePipe)
    /// `if`, `with`: the pipeline, the body, the else branch (which may hold one nested if/with for `else if`).
    case branch(kind: BranchKind, TemplatePipe, [TemplateNode], [TemplateNode]?)
    case range(TemplatePipe, [TemplateNode], [TemplateNode]?)
    case breakLoop(offset: Int)
    case continueLoop(offset: Int)

    enum BranchKind { case ifBlock, withBlock }
}

struct TemplatePipe {
    /// Variables declared (`:=`) or assigned (`=`) by the pipeline.
    var variables: [String] = []
    var isAssignment = false
    var commands: [TemplateCommand] = []
    var offset: Int
}

struct TemplateCommand {
    var arguments: [TemplateArgument]
    var offset: Int
}

indirect enum TemplateArgument {
    case function(String, offset: Int)
    case dot(offset: Int)
    /// `.A.B` on the data.
    case field([String], offset: Int)
    /// `$x.A.B`
    case variable(String, fields: [String], offset: Int)
    case constant(TemplateValue, offset: Int)
    case null(offset: Int)
    /// `(pipeline).A.B`
    case pipe(TemplatePipe, fields: [String])

    var offset: Int {
        switch self {
        case .function(_, let o), .dot(let o), .field(_, let o), .variable(_, _, let o), .constant(_, let o), .null(let o): return o
        case .pipe(let p, _): return p.offset
        }
    }
}

/// Recursive descent over the lexer's tokens, checking what Go checks while parsing:
/// functions are defined, variables are declared, `break`/`continue` sit inside `range`.
struct TemplateParser {
    let tokens: [TemplateToken]
    let functions: Set<String>
    let fail: (Int, String) -> ConfigError
    /// Called for an undefined function, to add what would make it defined.
    let undefinedHint: (String) -> String
    var index = 0
    var variables: [String] = ["$"]
    var rangeDepth = 0

    init(tokens: [TemplateToken], functions: Set<String>, fail: @escaping (Int, String) -> ConfigError,
         undefinedHint: @escaping (String) -> String) {
        self.tokens = tokens
        self.functions = functions
        self.fail = fail
        self.undefinedHint = undefinedHint
    }

    var current: TemplateToken { tokens[index] }

    mutating func next() -> TemplateToken {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func describe(_ t: TemplateToken) -> String {
        switch t.kind {
        case .text: return "text"
        case .leftDelim: return "\"{{\""
        case .rightDelim: return "\"}}\""
        case .identifier(let n), .keyword(let n): return "<\(n)>"
        case .field(let n), .chainField(let n): return "<.\(n)>"
        case .variable(let n): return "<\(n)>"
        case .dot: return "<.>"
        case .string(let s): return "\"\(s)\""
        case .number(let n): return "<\(n)>"
        case .char(let c): return "'\(c)'"
        case .bool(let b): return "<\(b)>"
        case .null: return "<nil>"
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .pipe: return "\"|\""
        case .comma: return "\",\""
        case .declare: return "\":=\""
        case .assign: return "\"=\""
        case .eof: return "EOF"
        }
    }

    /// The whole template.
    mutating func parse() throws -> [TemplateNode] {
        let (nodes, end) = try list()
        if let end {
            throw fail(end.offset, "unexpected {{\(end.word)}}")
        }
        return nodes
    }

    /// What ended a list: `{{end}}` or `{{else}}` (with the token after `else`), or nil at EOF.
    struct ListEnd {
        var word: String
        var offset: Int
    }

    /// Nodes up to `{{end}}`, `{{else ...` or EOF. On `else`, the tokens after the keyword are left unread.
    mutating func list() throws -> ([TemplateNode], ListEnd?) {
        var nodes: [TemplateNode] = []
        while true {
            let t = next()
            switch t.kind {
            case .eof:
                return (nodes, nil)
            case .text(let s):
                nodes.append(.text(s))
            case .leftDelim:
                if case .keyword(let word) = current.kind {
                    let keyword = next()
                    switch word {
                    case "end":
                        try expectClose("end")
                        return (nodes, ListEnd(word: "end", offset: keyword.offset))
                    case "else":
                        return (nodes, ListEnd(word: "else", offset: keyword.offset))
                    case "if": nodes.append(try branch(.ifBlock, at: keyword.offset))
                    case "with": nodes.append(try branch(.withBlock, at: keyword.offset))
                    case "range": nodes.append(try rangeNode(at: keyword.offset))
                    case "break", "continue":
                        guard rangeDepth > 0 else { throw fail(keyword.offset, "{{\(word)}} outside {{range}}") }
                        try expectClose(word)
                        nodes.append(word == "break" ? .breakLoop(offset: keyword.offset) : .continueLoop(offset: keyword.offset))
                    default:
                        throw fail(keyword.offset, "{{\(word)}} is not supported: ecspresso renders each file as one template, so there are no named templates to define or call")
                    }
                } else {
                    nodes.append(.action(try pipeline(context: "command", allowDeclarations: true, at: t.offset)))
                }
            default:
                throw fail(t.offset, "unexpected \(describe(t))")
            }
        }
    }

    mutating func expectClose(_ context: String) throws {
        let t = next()
        guard case .rightDelim = t.kind else { throw fail(t.offset, "unexpected \(describe(t)) in \(context)") }
    }

    /// `if`/`with` after its keyword, through its `{{end}}`; `else if`/`else with` nest.
    mutating func branch(_ kind: TemplateNode.BranchKind, at offset: Int) throws -> TemplateNode {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let name = kind == .ifBlock ? "if" : "with"
        let pipe = try pipeline(context: name, allowDeclarations: true, at: offset)
        let (body, end) = try list()
        guard let end else { throw fail(offset, "unexpected EOF: {{\(name)}} has no {{end}}") }
        if end.word == "end" { return .branch(kind: kind, pipe, body, nil) }
        // else: `{{else}}`, `{{else if ...}}` or `{{else with ...}}`
        if case .keyword(let word) = current.kind, word == "if" || word == "with" {
            let k = next()
            // The nested branch consumes the shared {{end}}.
            let nested = try branch(word == "if" ? .ifBlock : .withBlock, at: k.offset)
            return .branch(kind: kind, pipe, body, [nested])
        }
        try expectClose("else")
        let (elseBody, elseEnd) = try list()
        guard let elseEnd, elseEnd.word == "end" else {
            throw fail(elseEnd?.offset ?? offset, elseEnd == nil ? "unexpected EOF: {{\(name)}} has no {{end}}" : "expected end; found {{else}}")
        }
        return .branch(kind: kind, pipe, body, elseBody)
    }

    mutating func rangeNode(at offset: Int) throws -> TemplateNode {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let pipe = try pipeline(context: "range", allowDeclarations: true, at: offset)
        rangeDepth += 1
        let (body, end) = try list()
        rangeDepth -= 1
        guard let end else { throw fail(offset, "unexpected EOF: {{range}} has no {{end}}") }
        if end.word == "end" { return .range(pipe, body, nil) }
        try expectClose("else")
        let (elseBody, elseEnd) = try list()
        guard let elseEnd, elseEnd.word == "end" else {
            throw fail(elseEnd?.offset ?? offset, elseEnd == nil ? "unexpected EOF: {{range}} has no {{end}}" : "expected end; found {{else}}")
        }
        return .range(pipe, body, elseBody)
    }

    /// A pipeline up to `}}` (or `)` inside parentheses, which the caller consumes).
    mutating func pipeline(context: String, allowDeclarations: Bool, at offset: Int, inParens: Bool = false) throws -> TemplatePipe {
        var pipe = TemplatePipe(offset: current.offset)
        if allowDeclarations, case .variable = current.kind {
            // `$x :=`, `$x =`, or in range `$i, $e :=`
            let save = index
            var names: [String] = []
            while case .variable(let name) = current.kind {
                _ = next()
                names.append(name)
                if case .comma = current.kind, context == "range", names.count < 2 { _ = next(); continue }
                break
            }
            switch current.kind {
            case .declare, .assign:
                let isAssign = current.kind == .assign
                _ = next()
                if isAssign {
                    for n in names where !variables.contains(n) { throw fail(offset, "undefined variable \"\(n)\"") }
                }
                pipe.variables = names
                pipe.isAssignment = isAssign
            default:
                index = save
            }
        }
        while true {
            switch current.kind {
            case .rightDelim where !inParens:
                _ = next()
                guard !pipe.commands.isEmpty else { throw fail(current.offset, "missing value for \(context)") }
                if !pipe.isAssignment { variables.append(contentsOf: pipe.variables) }
                return pipe
            case .rightParen where inParens:
                guard !pipe.commands.isEmpty else { throw fail(current.offset, "missing value for parenthesized pipeline") }
                if !pipe.isAssignment { variables.append(contentsOf: pipe.variables) }
                return pipe
            case .eof, .rightDelim, .rightParen:
                throw fail(current.offset, inParens ? "unclosed left paren" : "unclosed action")
            default:
                pipe.commands.append(try command(context: context, inParens: inParens))
                if case .pipe = current.kind {
                    _ = next()
                    if case .rightDelim = current.kind { throw fail(current.offset, "missing command after '|'") }
                    if case .rightParen = current.kind { throw fail(current.offset, "missing command after '|'") }
                }
            }
        }
    }

    mutating func command(context: String, inParens: Bool) throws -> TemplateCommand {
        var command = TemplateCommand(arguments: [], offset: current.offset)
        while true {
            switch current.kind {
            case .pipe, .rightDelim, .rightParen, .eof:
                guard !command.arguments.isEmpty else { throw fail(current.offset, "empty command") }
                return command
            default:
                command.arguments.append(try operand(context: context))
            }
        }
    }

    mutating func operand(context: String) throws -> TemplateArgument {
        let t = next()
        var fields: [String] = []
        func chain() {
            while case .chainField(let f) = current.kind { fields.append(f); _ = next() }
        }
        switch t.kind {
        case .identifier(let name):
            guard functions.contains(name) else {
                throw fail(t.offset, "function \"\(name)\" not defined\(undefinedHint(name))")
            }
            if case .chainField = current.kind { throw fail(current.offset, "unexpected . after term \"\(name)\"") }
            return .function(name, offset: t.offset)
        case .dot:
            if case .chainField = current.kind { throw fail(current.offset, "unexpected . after term \".\"") }
            return .dot(offset: t.offset)
        case .field(let f):
            fields.append(f)
            chain()
            return .field(fields, offset: t.offset)
        case .variable(let name):
            guard variables.contains(name) else { throw fail(t.offset, "undefined variable \"\(name)\"") }
            chain()
            return .variable(name, fields: fields, offset: t.offset)
        case .string(let s): return .constant(.string(s), offset: t.offset)
        case .bool(let b): return .constant(.bool(b), offset: t.offset)
        case .char(let c): return .constant(.int(Int(c.value)), offset: t.offset)
        case .null: return .null(offset: t.offset)
        case .number(let text):
            guard let value = Self.number(text) else { throw fail(t.offset, "bad number syntax: \"\(text)\"") }
            return .constant(value, offset: t.offset)
        case .leftParen:
            let inner = try pipeline(context: "parenthesized pipeline", allowDeclarations: true, at: t.offset, inParens: true)
            _ = next() // ')'
            chain()
            return .pipe(inner, fields: fields)
        default:
            throw fail(t.offset, "unexpected \(describe(t)) in \(context)")
        }
    }

    /// A Go number constant as an `interface{}` argument gets it: int unless it is written as a float.
    static func number(_ text: String) -> TemplateValue? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        var body = Substring(cleaned)
        var negative = false
        if body.hasPrefix("+") { body = body.dropFirst() } else if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
        let lower = body.lowercased()
        var radix = 10
        var digits = Substring(lower)
        if lower.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy({ ("0"..."7").contains($0) }) { radix = 8; digits = digits.dropFirst() }
        let looksFloat = radix == 10 && lower.contains(where: { ".e".contains($0) })
        if !looksFloat, let v = Int(digits, radix: radix) { return .int(negative ? -v : v) }
        if radix == 10, let d = Double(lower) { return .float(negative ? -d : d) }
        return nil
    }
}
