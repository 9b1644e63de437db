/// Infers the type of every expression of a resolved script and reports what is certain
/// to fail, before anything runs: unknown fields and methods of known types, arguments of
/// the wrong type, calls of values that are not functions, comparisons that are always
/// false, and whatever the host's preflight checks of built-in calls refuse.
///
/// It never guesses: a type it cannot know is `any`, and nothing about `any` is reported.
/// A `var` has the join of every value assigned to it anywhere, and a function returns the
/// join of its `return`s, so the checker walks the script until those settle, then once
/// more to report.
final class TypeChecker {
    struct Environment {
        var builtins: [String: Builtin]
        var schemas: [String: RecordSchema]
        /// Types of names declared by earlier REPL entries, from their values.
        var globals: [String: ScriptType] = [:]
        /// nil: no preflight (the host gave none, or this is not a whole script).
        var preflight: PreflightContext?
    }

    /// What a name stands for in a scope.
    enum Binding {
        case variable(key: Int, isConst: Bool)
        case function(FunctionSyntax)
        case module
        case known(ScriptType)
    }

    var env: Environment
    let file: SourceFile
    var diagnostics: [Diagnostic] = []
    var reporting = false
    var changed = false
    var scopes: [[String: Binding]] = [[:]]
    /// Types of declared names, by the offset of the name in the file.
    var declared: [Int: ScriptType] = [:]
    /// What is known of `let` names beyond their type (a literal, a host's fact).
    var facts: [Int: StaticArgument] = [:]
    /// Function results, by the offset of the function.
    var results: [Int: ScriptType] = [:]
    /// The results of the `return`s of the functions being walked, innermost last.
    var returns: [ScriptType] = []

    private init(env: Environment, file: SourceFile) {
        self.env = env
        self.file = file
    }

    /// Every problem found in a resolved chunk, in source order.
    static func check(_ stmts: [Stmt], file: SourceFile, env: Environment) -> [Diagnostic] {
        settle(stmts, file: file, env: env).diagnostics
    }

    /// Walks until the types settle; the checker then knows every name's type.
    static func settle(_ stmts: [Stmt], file: SourceFile, env: Environment, probe: Int? = nil) -> TypeChecker {
        let c = TypeChecker(env: env, file: file)
        c.probe = probe
        // Types only grow from walk to walk; the problems of the walk that changed nothing
        // are the answer (most scripts need one walk). A script whose types never settle is
        // not reported on, rather than reported on wrongly.
        c.reporting = true
        for _ in 0..<6 {
            c.changed = false
            c.diagnostics = []
            c.readKeys = []
            c.env.preflight?.values = [:]
            c.walkTop(stmts)
            if !c.changed {
                c.diagnostics.sort { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) }
                return c
            }
        }
        c.diagnostics = []
        return c
    }

    /// For editors: the offset of a field name whose receiver's type is wanted, and that type.
    var probe: Int?
    var probed: ScriptType?

    /// How many `try` bodies the walk is inside: what fails there is the script's to catch.
    var tryDepth = 0

    func report(_ message: String, _ r: SourceRange) {
        guard reporting, tryDepth == 0 else { return }
        if diagnostics.contains(where: { $0.range == r && $0.message == message }) { return }
        diagnostics.append(Diagnostic(.resolve, message, at: r))
    }

    private func walkTop(_ stmts: [Stmt]) {
        scopes = [[:]]
        for (name, type) in env.globals { scopes[0][name] = .known(type) }
        returns = []
        block(stmts, newScope: false)
    }

    // MARK: names

    func lookup(_ name: String) -> Binding? {
        for s in scopes.reversed() { if let b = s[name] { return b } }
        return nil
    }

    func declare(_ name: String, _ b: Binding) { scopes[scopes.count - 1][name] = b }

    /// Names (by key) and function results read so far in this walk: a type that grows after
    /// it was read needs another walk, one that grows before any read does not.
    var readKeys: Set<Int> = []

    /// Joins a type into a `var`'s (or sets a `let`'s), noting growth that was seen too early.
    func assign(_ key: Int, _ t: ScriptType, isConst: Bool) {
        let old = declared[key]
        let new = isConst ? t : (old ?? .never).join(t).capped()
        if old != new {
            declared[key] = new
            if readKeys.contains(key) { changed = true }
        }
    }

    func type(ofName name: String) -> StaticArgument {
        switch lookup(name) {
        case .variable(let key, let isConst)?:
            readKeys.insert(key)
            if isConst, let f = facts[key] { return f }
            return StaticArgument(type: declared[key] ?? .never)
        case .function(let f)?:
            readKeys.insert(f.range.start)
            return StaticArgument(type: .function(FunctionType(parameters: f.parameters.map { _ in .any }, result: results[f.range.start] ?? .never)))
        case .module?: return StaticArgument(type: .any)
        case .known(let t)?: return StaticArgument(type: t)
        case nil:
            if env.builtins[name] != nil { return StaticArgument(type: .function(nil)) }
            if name == "args" { return StaticArgument(type: .list(.string)) }
            return StaticArgument(type: .any)
        }
    }

    // MARK: statements

    func block(_ stmts: [Stmt], newScope: Bool = true, extra: [(String, Binding)] = []) {
        if newScope { scopes.append([:]) }
        defer { if newScope { scopes.removeLast() } }
        for (n, b) in extra { declare(n, b) }
        hoist(stmts)
        for s in stmts { statement(s) }
    }

    private func hoist(_ stmts: [Stmt]) {
        for s in stmts {
            switch s {
            case .declare(let isConst, let name, let nr, _, _): declare(name, .variable(key: nr.start, isConst: isConst))
            case .function(let f): if let name = f.name { declare(name, .function(f)) }
            case .import(_, let alias, _, _): declare(alias, .module)
            default: break
            }
        }
    }

    private func statement(_ s: Stmt) {
        switch s {
        case .expr(let e): _ = infer(e)
        case .declare(let isConst, _, let nr, let value, _):
            let v = infer(value)
            assign(nr.start, v.type, isConst: isConst)
            if isConst { facts[nr.start] = v }
        case .assign(let target, let op, let value, _):
            let v = infer(value).type
            assignTo(target, op, v)
        case .function(let f): _ = function(f, parameterTypes: nil)
        case .if(let cond, let then, let otherwise, _):
            condition(cond)
            block(then)
            if let otherwise { block(otherwise) }
        case .while(let cond, let body, _):
            condition(cond)
            block(body)
        case .for(let first, let second, let iterable, let body, _):
            let it = infer(iterable).type
            var extra: [(String, Binding)] = []
            if let second {
                let (k, v) = pairTypes(it)
                extra = [(first.0, .known(k)), (second.0, .known(v))]
            } else {
                extra = [(first.0, .known(it.elementType))]
            }
            block(body, extra: extra)
        case .break, .continue: break
        case .return(let value, _):
            let t = value.map { infer($0).type } ?? .nil
            if !returns.isEmpty { returns[returns.count - 1] = returns[returns.count - 1].join(t) }
        case .try(let body, let errorName, let handler, _):
            tryDepth += 1
            block(body)
            tryDepth -= 1
            block(handler, extra: errorName.map { [($0.0, .known(.record("Error")))] } ?? [])
        case .import: break
        case .block(let body, _): block(body)
        }
    }

    /// `for k, v in map` and `for i, x in list`.
    private func pairTypes(_ t: ScriptType) -> (ScriptType, ScriptType) {
        switch t {
        case .map(let v): return (.string, v)
        case .list(let e): return (.int, e)
        case .range: return (.int, .int)
        case .string: return (.int, .string)
        default: return (.any, .any)
        }
    }

    private func condition(_ e: Expr) {
        let t = infer(e).type
        if !t.mayBe(.bool) {
            report("condition must be Bool, got \(t)", e.range)
        }
    }

    /// Widens the variable a place belongs to by what is stored there.
    private func assignTo(_ target: Expr, _ op: BinaryOp?, _ value: ScriptType) {
        switch target {
        case .name(let name, _):
            guard case .variable(let key, let isConst)? = lookup(name), !isConst else { return }
            let stored = op.map { binaryResult($0, declared[key] ?? .never, value) } ?? value
            assign(key, stored, isConst: false)
        case .index(let base, _, _), .field(let base, _, _, _, _):
            _ = infer(base)
            widen(base, by: value)
        default: _ = infer(target)
        }
    }

    /// `xs[i] = v`, `m.k = v`, `xs.append(v)`: the container now also holds `v`.
    func widen(_ place: Expr, by value: ScriptType) {
        guard case .name(let name, _) = place else {
            // Deeper places (`a[0].b = v`): the root variable can hold anything now.
            if let root = rootName(place), case .variable(let key, false)? = lookup(root) { assign(key, .any, isConst: false) }
            return
        }
        guard case .variable(let key, false)? = lookup(name) else { return }
        switch declared[key] ?? .never {
        case .list: assign(key, .list(value), isConst: false)
        case .map, .shapedMap: assign(key, .map(value), isConst: false)
        default: assign(key, .any, isConst: false)
        }
    }

    private func rootName(_ e: Expr) -> String? {
        switch e {
        case .name(let n, _): return n
        case .index(let b, _, _), .field(let b, _, _, _, _): return rootName(b)
        default: return nil
        }
    }

    /// A function's type; its result is the join of its returns (nil when it may end
    /// without one).
    func function(_ f: FunctionSyntax, parameterTypes: [ScriptType]?) -> ScriptType {
        scopes.append([:])
        defer { scopes.removeLast() }
        var params: [ScriptType] = []
        for (i, p) in f.parameters.enumerated() {
            let given = parameterTypes.flatMap { i < $0.count ? $0[i] : nil } ?? .any
            let t = p.defaultValue.map { given == .any ? .any : given.join(infer($0).type) } ?? given
            declare(p.name, .known(t))
            params.append(t)
        }
        let result: ScriptType
        if f.isArrow, case .return(let e?, _) = f.body.first {
            result = infer(e).type
        } else {
            returns.append(.never)
            block(f.body, newScope: false)
            let r = returns.removeLast()
            result = endsInReturn(f.body) ? r : r.join(.nil)
        }
        if f.name != nil {
            let old = results[f.range.start] ?? .never
            let new = old.join(result).capped()
            if new != old {
                results[f.range.start] = new
                if readKeys.contains(f.range.start) { changed = true }
            }
        }
        return .function(FunctionType(parameters: params, result: result))
    }

    private func endsInReturn(_ body: [Stmt]) -> Bool {
        switch body.last {
        case .return?: return true
        case .if(_, let then, let otherwise?, _)?: return endsInReturn(then) && endsInReturn(otherwise)
        case .block(let b, _)?: return endsInReturn(b)
        default: return false
        }
    }
}

extension ScriptType {
    /// Nesting past a few levels says nothing a checker uses, and would keep growing
    /// (`x = [x]`).
    func capped(_ depth: Int = 0) -> ScriptType {
        if depth > 3 { return .any }
        switch self {
        case .list(let e): return .list(e.capped(depth + 1))
        case .map(let v): return .map(v.capped(depth + 1))
        case .function(let f?):
            return .function(FunctionType(parameters: f.parameters.map { $0.capped(depth + 1) }, result: f.result.capped(depth + 1)))
        case .union(let ms): return .union(ms.map { $0.capped(depth + 1) })
        default: return self
        }
    }
}
