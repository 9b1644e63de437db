/// The parsed, unresolved syntax tree. The resolver turns it into executable nodes.
indirect enum Expr: Sendable {
    case literal(LiteralValue, SourceRange)
    case string([InterpolationPart], SourceRange)
    case name(String, SourceRange)
    case list([Expr], SourceRange)
    /// Keys are expressions; a bare identifier key was already turned into a string literal.
    case map([(Expr, Expr)], SourceRange)
    case unary(UnaryOp, Expr, SourceRange)
    case binary(BinaryOp, Expr, Expr, SourceRange)
    case and(Expr, Expr, SourceRange)
    case or(Expr, Expr, SourceRange)
    case coalesce(Expr, Expr, SourceRange)
    case range(Expr, Expr, closed: Bool, SourceRange)
    case call(Expr, [Argument], SourceRange)
    case index(Expr, Expr, SourceRange)
    /// `a.f`, or `a?.f` when `optional`; `nameRange` covers the field name.
    case field(Expr, String, optional: Bool, nameRange: SourceRange, SourceRange)
    case function(FunctionSyntax)

    var range: SourceRange {
        switch self {
        case .literal(_, let r), .string(_, let r), .name(_, let r), .list(_, let r), .map(_, let r),
             .unary(_, _, let r), .binary(_, _, _, let r), .and(_, _, let r), .or(_, _, let r),
             .coalesce(_, _, let r), .range(_, _, _, let r), .call(_, _, let r), .index(_, _, let r),
             .field(_, _, _, _, let r):
            return r
        case .function(let f): return f.range
        }
    }
}

enum LiteralValue: Sendable {
    case `nil`, bool(Bool), int(Int), float(Double), duration(Int), string(String)
}

enum InterpolationPart: Sendable {
    case text(String)
    case expr(Expr)
}

struct Argument: Sendable {
    let label: String?
    let labelRange: SourceRange?
    let value: Expr
}

enum UnaryOp: String, Sendable { case negate = "-", not = "not" }

enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", `in` = "in"
}

struct Parameter: Sendable {
    let name: String
    let range: SourceRange
    let defaultValue: Expr?
}

struct FunctionSyntax: Sendable {
    let name: String?
    let nameRange: SourceRange?
    let parameters: [Parameter]
    let body: [Stmt]
    /// True for `fn(a) => expr`: the body is one return.
    let isArrow: Bool
    let range: SourceRange
}

indirect enum Stmt: Sendable {
    case expr(Expr)
    case declare(isConst: Bool, name: String, nameRange: SourceRange, value: Expr, SourceRange)
    case assign(target: Expr, op: BinaryOp?, value: Expr, SourceRange)
    case function(FunctionSyntax)
    case `if`(Expr, [Stmt], else: [Stmt]?, SourceRange)
    case `while`(Expr, [Stmt], SourceRange)
    /// `for x in e` (`second` nil) or `for k, v in e`.
    case `for`(first: (String, SourceRange), second: (String, SourceRange)?, iterable: Expr, body: [Stmt], SourceRange)
    case `break`(SourceRange)
    case `continue`(SourceRange)
    case `return`(Expr?, SourceRange)
    case `try`(body: [Stmt], errorName: (String, SourceRange)?, handler: [Stmt], SourceRange)
    case `import`(path: String, alias: String, aliasRange: SourceRange, SourceRange)
    case block([Stmt], SourceRange)

    var range: SourceRange {
        switch self {
        case .expr(let e): return e.range
        case .declare(_, _, _, _, let r), .assign(_, _, _, let r), .if(_, _, _, let r), .while(_, _, let r),
             .for(_, _, _, _, let r), .break(let r), .continue(let r), .return(_, let r), .try(_, _, _, let r),
             .import(_, _, _, let r), .block(_, let r):
            return r
        case .function(let f): return f.range
        }
    }
}
