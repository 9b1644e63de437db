/// The declarations of a parsed document and where each is visible, for editors: go to
/// definition, document symbols, names to complete.
struct DocumentIndex {
    struct Declaration {
        enum Kind { case constant, variable, function, parameter, loopVariable, caughtError, module }
        let name: String
        let kind: Kind
        /// The name where it is declared.
        let nameRange: SourceRange
        /// The whole declaration (a function's whole text).
        let range: SourceRange
        /// Where the name can be used: its block (a declaration is known in its whole block).
        let scope: ClosedRange<Int>
        /// A function's parameters.
        let parameters: [String]
        /// The enclosing function's declaration, for nesting in the outline.
        let parent: Int?
    }

    private(set) var declarations: [Declaration] = []
    private var parents: [Int] = []

    init(_ stmts: [Stmt], length: Int) {
        block(stmts, scope: 0...max(0, length))
    }

    /// The declaration a use of `name` at `offset` refers to: the innermost one in scope.
    func declaration(of name: String, at offset: Int) -> Declaration? {
        declarations.filter { $0.name == name && $0.scope.contains(offset) }
            .max { ($0.scope.lowerBound, $0.nameRange.start) < ($1.scope.lowerBound, $1.nameRange.start) }
    }

    /// Names visible at an offset, innermost first.
    func visible(at offset: Int) -> [Declaration] {
        declarations.filter { $0.scope.contains(offset) }.sorted { $0.scope.lowerBound > $1.scope.lowerBound }
    }

    private mutating func add(_ name: String, _ kind: Declaration.Kind, _ nameRange: SourceRange, _ range: SourceRange,
                              _ scope: ClosedRange<Int>, parameters: [String] = []) {
        declarations.append(Declaration(name: name, kind: kind, nameRange: nameRange, range: range, scope: scope,
                                        parameters: parameters, parent: parents.last))
    }

    private mutating func block(_ stmts: [Stmt], scope: ClosedRange<Int>) {
        for s in stmts { statement(s, scope: scope) }
    }

    private static func span(_ r: SourceRange) -> ClosedRange<Int> { r.start...max(r.start, r.end) }

    private mutating func statement(_ s: Stmt, scope: ClosedRange<Int>) {
        switch s {
        case .expr(let e): expr(e)
        case .declare(let isConst, let name, let nr, let value, let r):
            if case .function(let f) = value, f.name == nil {
                add(name, .function, nr, r, scope, parameters: f.parameters.map(\.name))
                function(f, owner: declarations.count - 1)
            } else {
                add(name, isConst ? .constant : .variable, nr, r, scope)
                expr(value)
            }
        case .assign(let target, _, let value, _):
            expr(target)
            expr(value)
        case .function(let f):
            if let name = f.name, let nr = f.nameRange {
                add(name, .function, nr, f.range, scope, parameters: f.parameters.map(\.name))
                function(f, owner: declarations.count - 1)
            } else {
                function(f, owner: nil)
            }
        case .if(let c, let then, let otherwise, let r):
            expr(c)
            block(then, scope: Self.span(r))
            if let otherwise { block(otherwise, scope: Self.span(r)) }
        case .while(let c, let body, let r):
            expr(c)
            block(body, scope: Self.span(r))
        case .for(let first, let second, let iterable, let body, let r):
            expr(iterable)
            add(first.0, .loopVariable, first.1, first.1, Self.span(r))
            if let second { add(second.0, .loopVariable, second.1, second.1, Self.span(r)) }
            block(body, scope: Self.span(r))
        case .break, .continue: break
        case .return(let v, _): if let v { expr(v) }
        case .try(let body, let errorName, let handler, let r):
            block(body, scope: Self.span(r))
            if let (name, nr) = errorName { add(name, .caughtError, nr, nr, Self.span(r)) }
            block(handler, scope: Self.span(r))
        case .import(_, let alias, let ar, let r): add(alias, .module, ar, r, scope)
        case .block(let body, let r): block(body, scope: Self.span(r))
        }
    }

    private mutating func function(_ f: FunctionSyntax, owner: Int?) {
        if let owner { parents.append(owner) }
        defer { if owner != nil { parents.removeLast() } }
        let scope = Self.span(f.range)
        for p in f.parameters {
            add(p.name, .parameter, p.range, p.range, scope)
            if let d = p.defaultValue { expr(d) }
        }
        block(f.body, scope: scope)
    }

    /// Functions written inside expressions (`map(fn(x) => ...)`) have declarations too.
    private mutating func expr(_ e: Expr) {
        switch e {
        case .literal, .name: break
        case .string(let parts, _):
            for case .expr(let x) in parts { expr(x) }
        case .list(let items, _): items.forEach { expr($0) }
        case .map(let entries, _):
            for (k, v) in entries { expr(k); expr(v) }
        case .unary(_, let x, _): expr(x)
        case .binary(_, let a, let b, _), .and(let a, let b, _), .or(let a, let b, _), .coalesce(let a, let b, _),
             .range(let a, let b, _, _), .index(let a, let b, _):
            expr(a)
            expr(b)
        case .call(let c, let args, _):
            expr(c)
            args.forEach { expr($0.value) }
        case .field(let b, _, _, _, _): expr(b)
        case .function(let f): function(f, owner: nil)
        }
    }
}
