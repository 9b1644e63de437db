/// Resolves every name of a parsed script to a frame slot, a captured cell, a module
/// global or a built-in, checks what can be checked before anything runs, and emits
/// the executable node tree.
///
/// Whether a local is captured by a closure is only known once the closure is seen, so
/// when a pass discovers a new capture the whole chunk is compiled once more with that
/// knowledge (compiling is cheap next to running).
final class Resolver {
    private let file: SourceFile
    private let globals: GlobalStore
    private let builtins: [String: Builtin]
    private let loader: ModuleLoader?
    private let repl: Bool
    private var captured: Set<Int>
    private var foundNewCapture = false
    private var diagnostics: [Diagnostic] = []
    private var scope: FunctionScope

    private init(file: SourceFile, globals: GlobalStore, builtins: [String: Builtin], loader: ModuleLoader?,
                 repl: Bool, captured: Set<Int>) {
        self.file = file
        self.globals = globals
        self.builtins = builtins
        self.loader = loader
        self.repl = repl
        self.captured = captured
        self.scope = FunctionScope(parent: nil, isTop: true)
    }

    /// Compiles a chunk's statements against a module's globals. In the REPL, names of
    /// earlier lines are visible and may be declared again.
    static func compile(_ stmts: [Stmt], file: SourceFile, globals: GlobalStore, builtins: [String: Builtin],
                        loader: ModuleLoader?, repl: Bool) -> Checked<Chunk> {
        let before = globals.count
        let constness = globals.constant
        let declarations = globals.declarations
        // A rejected entry leaves the session's names exactly as they were.
        func restore() {
            rollback(globals, to: before)
            globals.constant = constness
            globals.declarations = declarations
        }
        var captured: Set<Int> = []
        for _ in 0..<8 {
            rollback(globals, to: before)
            let r = Resolver(file: file, globals: globals, builtins: builtins, loader: loader, repl: repl, captured: captured)
            let chunk = r.compileTop(stmts)
            if !r.diagnostics.isEmpty {
                restore()
                return .failure(r.diagnostics.sorted { ($0.range?.start ?? 0) < ($1.range?.start ?? 0) })
            }
            if !r.foundNewCapture { return .success(chunk) }
            captured = r.captured
        }
        restore()
        return .failure([Diagnostic(.resolve, "internal error: captured variables did not settle", at: nil)])
    }

    /// Undoes what compiling a chunk declared in `g`, for an entry refused after it compiled.
    static func snapshot(_ g: GlobalStore) -> () -> Void {
        let before = g.count, constness = g.constant, declarations = g.declarations
        return {
            rollback(g, to: before)
            g.constant = constness
            g.declarations = declarations
        }
    }

    private static func rollback(_ g: GlobalStore, to count: Int) {
        while g.count > count { g.removeLast() }
    }

    private func error(_ message: String, _ range: SourceRange) {
        diagnostics.append(Diagnostic(.resolve, message, at: range))
    }

    // MARK: declarations

    private func compileTop(_ stmts: [Stmt]) -> Chunk {
        for (i, name) in globals.names.enumerated() {
            let v = VarInfo(name: name, isConst: globals.isConstant(i), declRange: globals.declarations[i] ?? SourceRange(file: file, start: 0, end: 0),
                            storage: .global(globals, i), declared: true)
            scope.blocks[0][name] = v
        }
        hoist(stmts)
        let body = stmts.compactMap { statement($0) }
        return Chunk(file: file, frameSize: scope.nextSlot, body: body)
    }

    /// Declares the names a block's statements introduce before compiling it, so functions may
    /// refer to each other and to names declared further down.
    private func hoist(_ stmts: [Stmt]) {
        for s in stmts {
            switch s {
            case .declare(let isConst, let name, let r, _, _): _ = declare(name, isConst: isConst, at: r)
            case .function(let f):
                if let name = f.name, let r = f.nameRange {
                    let v = declare(name, isConst: true, at: r)
                    v?.signature = Signature(function: f)
                    v?.role = .function
                }
            case .import(_, let alias, let r, _): declare(alias, isConst: true, at: r)?.role = .module
            default: break
            }
        }
    }

    private var atTopLevel: Bool { scope.isTop && scope.blocks.count == 1 }

    @discardableResult
    private func declare(_ name: String, isConst: Bool, at r: SourceRange, declared: Bool = false) -> VarInfo? {
        if let existing = scope.blocks[scope.blocks.count - 1][name], !(repl && atTopLevel && existing.declared) {
            if atTopLevel, name == "args", globals.declarations[globals.index[name] ?? 0] == nil {
                error("'args' is the script's arguments; choose another name", r)
                return nil
            }
            let line = existing.declRange.location.line
            error("'\(name)' is already declared in this scope (line \(line))", r)
            return nil
        }
        if builtins[name] != nil, atTopLevel {
            // Shadowing a built-in at the top level hides it for the whole script: say so.
            error("'\(name)' is a built-in function; choose another name", r)
            return nil
        }
        let storage: Storage
        if atTopLevel {
            let i = globals.index[name] ?? globals.add(name, constant: isConst)
            globals.setConstant(i, isConst)
            globals.declarations[i] = r
            storage = .global(globals, i)
        } else {
            let slot = scope.newSlot()
            storage = captured.contains(r.start) ? .cell(slot) : .local(slot)
        }
        let v = VarInfo(name: name, isConst: isConst, declRange: r, storage: storage, declared: declared)
        scope.blocks[scope.blocks.count - 1][name] = v
        return v
    }

    private func currentBlockVar(_ name: String) -> VarInfo? { scope.blocks[scope.blocks.count - 1][name] }

    private func block(_ stmts: [Stmt], extra: (() -> Void)? = nil) -> [StmtNode] {
        scope.blocks.append([:])
        defer { scope.blocks.removeLast() }
        extra?()
        hoist(stmts)
        let nodes = stmts.compactMap { statement($0) }
        // Captured variables declared here get fresh cells each time the block runs (each
        // loop turn), even when a closure captured them before their declaration.
        let fresh = scope.blocks[scope.blocks.count - 1].values.compactMap { v -> Int? in
            if case .cell(let s) = v.storage, v.role != .loopVariable, v.role != .caughtError { return s }
            return nil
        }
        if fresh.isEmpty || stmts.isEmpty { return nodes }
        return [ClearSlots(fresh.sorted(), stmts[0].range)] + nodes
    }

    // MARK: names

    private enum Resolved {
        case variable(VarInfo, Storage)
        case builtin(Builtin)
    }

    private func lookup(_ name: String, _ r: SourceRange) -> Resolved? {
        if let v = scope.lookupLocal(name) {
            if !v.declared {
                error("'\(name)' is used before its declaration on line \(v.declRange.location.line)", r)
            }
            return .variable(v, v.storage)
        }
        if let c = scope.captures.first(where: { $0.name == name }), let v = findInAncestors(name)?.0 {
            return .variable(v, .cell(c.slot))
        }
        if let (v, owner) = findInAncestors(name) {
            if case .global = v.storage { return .variable(v, v.storage) }
            guard let slot = v.slot else { return .variable(v, v.storage) }
            if !captured.contains(v.declRange.start) {
                captured.insert(v.declRange.start)
                foundNewCapture = true
            }
            // Thread the cell down through every function between the owner and here.
            var chain: [FunctionScope] = []
            var s: FunctionScope? = scope
            while let cur = s, cur !== owner { chain.append(cur); s = cur.parent }
            var from = slot
            for fs in chain.reversed() {
                if let c = fs.captures.first(where: { $0.name == name }) { from = c.slot; continue }
                let newSlot = fs.newSlot()
                fs.captures.append((name, newSlot, from))
                from = newSlot
            }
            return .variable(v, .cell(from))
        }
        if let b = builtins[name] { return .builtin(b) }
        return nil
    }

    /// The nearest enclosing function that declares `name`.
    private func findInAncestors(_ name: String) -> (VarInfo, FunctionScope)? {
        var s = scope.parent
        while let cur = s {
            if let v = cur.lookupLocal(name) { return (v, cur) }
            s = cur.parent
        }
        return nil
    }

    private func visibleNames() -> [String] {
        var names = Set(builtins.keys).union(["true", "false", "nil"])
        var s: FunctionScope? = scope
        while let cur = s {
            for b in cur.blocks { names.formUnion(b.filter { $0.value.declared }.keys) }
            s = cur.parent
        }
        return Array(names).sorted()
    }

    private func unknown(_ name: String, _ r: SourceRange) {
        let hint = suggestion(for: name, among: visibleNames()).map { " (did you mean '\($0)'?)" } ?? ""
        error("unknown name '\(name)'\(hint)", r)
    }

    private func nameNode(_ name: String, _ r: SourceRange) -> ExprNode {
        guard let res = lookup(name, r) else {
            unknown(name, r)
            return ConstNode(.nil, r)
        }
        switch res {
        case .builtin(let b): return ConstNode(.builtin(b), r)
        case .variable(let v, let storage):
            switch storage {
            case .local(let s): return LocalGet(s, r)
            case .cell(let s): return CellGet(s, v.name, r)
            case .global(let g, let i): return GlobalGet(g, i, r)
            }
        }
    }

    // MARK: statements

    private func statement(_ s: Stmt) -> StmtNode? {
        switch s {
        case .expr(let e):
            // `xs.sort()` alone does nothing: sort and reversed return a new List.
            if !repl, case .call(.field(let base, let name, _, _, _), _, let r) = e, name == "sort" || name == "reversed",
               case .name(let v, _) = base {
                error("the result of \(name)() is unused: it returns a new List and leaves '\(v)' as it is (write \(v) = \(v).\(name)(...))", r)
            }
            return ExprStmt(expr(e), echo: repl && atTopLevel)
        case .declare(_, let name, let nameRange, let value, let r):
            let valueNode: ExprNode
            if case .function(let f) = value, f.name == nil {
                valueNode = function(f, name: name)
            } else {
                valueNode = expr(value)
            }
            guard let v = currentBlockVar(name), v.declRange == nameRange else { return nil }
            v.declared = true
            return DeclareStmt(v.storage, valueNode, r)
        case .function(let f):
            guard let name = f.name, let nameRange = f.nameRange else { return nil }
            let v = currentBlockVar(name)
            guard let v, v.declRange == nameRange else { _ = function(f); return nil }
            v.declared = true
            return DeclareStmt(v.storage, function(f), f.range)
        case .assign(let target, let op, let value, let r):
            let valueNode = expr(value)
            guard let lv = lvalue(target, compound: op != nil) else { return nil }
            switch (lv, op) {
            case (.name(.local(let slot), _), nil): return SetLocal(slot, valueNode, r)
            case (.name(.local(let slot), _), let op?): return CompoundLocal(slot, op, valueNode, r)
            case (.name(.global(let g, let i), _), _): return SetGlobal(g, i, op, valueNode, r)
            default: return AssignStmt(lv, op, valueNode, r)
            }
        case .if(let cond, let then, let otherwise, let r):
            return IfStmt(expr(cond), block(then), otherwise.map { block($0) } ?? [], r)
        case .while(let cond, let body, let r):
            let c = expr(cond)
            scope.loopDepth += 1
            defer { scope.loopDepth -= 1 }
            return WhileStmt(c, block(body), r)
        case .for(let first, let second, let iterable, let body, let r):
            let it = expr(iterable)
            scope.blocks.append([:])
            defer { scope.blocks.removeLast() }
            let a = declare(first.0, isConst: true, at: first.1, declared: true)
            a?.role = .loopVariable
            var b: VarInfo?
            if let second {
                b = declare(second.0, isConst: true, at: second.1, declared: true)
                b?.role = .loopVariable
            }
            scope.loopDepth += 1
            defer { scope.loopDepth -= 1 }
            let bodyNodes = block(body)
            guard let a else { return nil }
            return ForStmt(a.storage, b?.storage, it, bodyNodes, r)
        case .break(let r):
            if scope.loopDepth == 0 { error("'break' outside a loop", r) }
            return BreakStmt(r)
        case .continue(let r):
            if scope.loopDepth == 0 { error("'continue' outside a loop", r) }
            return ContinueStmt(r)
        case .return(let value, let r):
            if scope.isTop { error("'return' outside a function (use exit(n) to end a script)", r) }
            return ReturnStmt(value.map { expr($0) }, r)
        case .try(let body, let errorName, let handler, let r):
            let bodyNodes = block(body)
            var slot: Storage?
            let handlerNodes = block(handler) {
                if let (name, nr) = errorName {
                    let v = self.declare(name, isConst: true, at: nr, declared: true)
                    v?.role = .caughtError
                    slot = v?.storage
                }
            }
            return TryStmt(bodyNodes, slot, handlerNodes, r)
        case .import(let path, let alias, let aliasRange, let r):
            guard let loader else {
                error("import is not available here", r)
                return nil
            }
            switch loader.load(path, from: file, at: r) {
            case .failure(let ds):
                diagnostics.append(contentsOf: ds)
                // The name exists, so its uses report nothing more than the import's own error.
                if let v = currentBlockVar(alias), v.declRange == aliasRange { v.declared = true }
                return nil
            case .success(let module):
                guard let v = currentBlockVar(alias), v.declRange == aliasRange else { return nil }
                v.declared = true
                v.module = module
                return ImportStmt(module, v.storage, r)
            }
        case .block(let body, let r):
            return BlockStmt(block(body), r)
        }
    }

    /// An assignable place; reports why not when it is a constant, a built-in or a temporary.
    private func lvalue(_ e: Expr, compound: Bool) -> LValue? {
        switch e {
        case .name(let name, let r):
            guard let res = lookup(name, r) else { unknown(name, r); return nil }
            switch res {
            case .builtin:
                error("cannot assign to '\(name)': it is a built-in function", r)
                return nil
            case .variable(let v, let storage):
                if v.isConst {
                    let line = v.declRange.location.line
                    let what: String
                    switch v.role {
                    case .function: what = "a function (declared on line \(line))"
                    case .module: what = "an imported module (declared on line \(line))"
                    case .loopVariable: what = "a loop variable (declared on line \(line))"
                    case .caughtError: what = "the caught error (declared on line \(line))"
                    default: what = "a let constant (declared on line \(line)); use var to declare a variable"
                    }
                    error("cannot assign to '\(name)': it is \(what)", r)
                    return nil
                }
                return .name(storage, name)
            }
        case .index(let base, let index, _):
            guard let b = lvalue(base, compound: true) else { return nil }
            return .index(b, expr(index))
        case .field(let base, let name, false, _, _):
            guard let b = lvalue(base, compound: true) else { return nil }
            return .field(b, name)
        default:
            error("cannot assign to the result of an expression: assign to a variable, a[i] or m.k", e.range)
            return nil
        }
    }

    // MARK: expressions

    /// `a?.b.c(d)[e]`: a nil before `?.` makes the whole chain nil, as in Swift. The chain is
    /// compiled as usual and wrapped once; links reached as a base keep the chain open,
    /// anything else (arguments, indexes, operands) starts afresh.
    private func expr(_ e: Expr, asBase: Bool = false) -> ExprNode {
        // Only the top of a chain decides (once, so long chains compile in linear time).
        if asBase { return link(e) }
        if Self.chainHasOptional(e) { return OptionalChainNode(link(e), e.range) }
        return link(e)
    }

    private static func chainHasOptional(_ e: Expr) -> Bool {
        switch e {
        case .field(let b, _, let optional, _, _): return optional || chainHasOptional(b)
        case .index(let b, _, _): return chainHasOptional(b)
        case .call(let c, _, _): return chainHasOptional(c)
        default: return false
        }
    }

    private func link(_ e: Expr) -> ExprNode {
        switch e {
        case .literal(let lit, let r):
            switch lit {
            case .nil: return ConstNode(.nil, r)
            case .bool(let b): return ConstNode(.bool(b), r)
            case .int(let i): return ConstNode(.int(i), r)
            case .float(let d): return ConstNode(.float(d), r)
            case .duration(let d): return ConstNode(.duration(d), r)
            case .string(let s): return ConstNode(.string(s), r)
            }
        case .string(let parts, let r):
            return InterpolationNode(parts.map { p -> ExprNode in
                switch p {
                case .text(let s): return ConstNode(.string(s), r)
                case .expr(let e): return expr(e)
                }
            }, r)
        case .name(let name, let r): return nameNode(name, r)
        case .list(let items, let r): return ListNode(items.map { expr($0) }, r)
        case .map(let entries, let r): return MapNode(entries.map { expr($0.0) }, entries.map { expr($0.1) }, r)
        case .unary(.negate, let x, let r): return NegateNode(expr(x), r)
        case .unary(.not, let x, let r): return NotNode(expr(x), r)
        case .binary(let op, let a, let b, let r):
            let l = expr(a), rt = expr(b)
            if let local = l as? LocalGet, let c = rt as? ConstNode, case .int(let k) = c.value,
               [.add, .sub, .lt, .le, .gt, .ge, .eq, .ne].contains(op) {
                return LocalConstNode(local.slot, op, k, r)
            }
            switch op {
            case .add, .sub: return AddSubNode(op, l, rt, r)
            case .lt, .le, .gt, .ge: return CompareNode(op, l, rt, r)
            default: return BinaryNode(op, l, rt, r)
            }
        case .and(let a, let b, let r): return AndNode(expr(a), expr(b), r)
        case .or(let a, let b, let r): return OrNode(expr(a), expr(b), r)
        case .coalesce(let a, let b, let r): return CoalesceNode(expr(a), expr(b), r)
        case .range(let a, let b, let closed, let r): return RangeNode(expr(a), expr(b), closed: closed, r)
        case .index(let b, let i, let r):
            let base = expr(b, asBase: true)
            return IndexNode(base, expr(i), r)
        case .field(let base, let name, let optional, let nameRange, let r):
            checkModuleField(base, name, nameRange)
            return FieldNode(expr(base, asBase: true), name, optional: optional, r)
        case .function(let f): return function(f)
        case .call(let callee, let args, let r): return call(callee, args, r)
        }
    }

    /// `mod.name` on an imported module: the name must exist.
    private func checkModuleField(_ base: Expr, _ name: String, _ nameRange: SourceRange) {
        guard case .name(let alias, _) = base, let v = scope.lookupLocal(alias) ?? findInAncestors(alias)?.0,
              let module = v.module else { return }
        if module.globals.index[name] == nil || module.seeded.contains(name) {
            let hint = suggestion(for: name, among: module.globals.names.filter { !module.seeded.contains($0) }).map { " (did you mean '\($0)'?)" } ?? ""
            error("module '\(alias)' has no name '\(name)'\(hint)", nameRange)
        }
    }

    private func call(_ callee: Expr, _ args: [Argument], _ r: SourceRange) -> ExprNode {
        let labels: [String?]? = args.contains { $0.label != nil } ? args.map(\.label) : nil
        // Method call: receiver.name(args)
        if case .field(let base, let name, let optional, let nameRange, _) = callee {
            checkModuleField(base, name, nameRange)
            if name == "append", !optional, isPlace(base) {
                if args.count != 1 || labels != nil {
                    error("append() takes exactly one positional argument", r)
                }
                guard let lv = lvalueForAppend(base) else { return ConstNode(.nil, r) }
                return AppendStmt(lv, args.first.map { expr($0.value) } ?? ConstNode(.nil, r), r)
            }
            let receiver = expr(base, asBase: true)
            return MethodCallNode(receiver, name, args.map { expr($0.value) }, labels: labels, optional: optional, r)
        }
        let calleeNode: ExprNode
        if case .name(let name, let nr) = callee {
            calleeNode = nameNode(name, nr)
            var sig: Signature?
            if let res = lookupQuiet(name) {
                switch res {
                case .builtin(let b): sig = b.signatureModel
                case .variable(let v, _): if v.isConst { sig = v.signature }
                }
            }
            if let sig, case .failure(let problem) = sig.bind(args.map(\.label)) {
                error(sig.message(problem), r)
            }
        } else {
            calleeNode = expr(callee, asBase: true)
        }
        return CallNode(calleeNode, args.map { expr($0.value) }, labels: labels, r)
    }

    /// A lookup for static checks that reports nothing and captures nothing.
    private func lookupQuiet(_ name: String) -> Resolved? {
        if let v = scope.lookupLocal(name) ?? findInAncestors(name)?.0 { return .variable(v, v.storage) }
        if let b = builtins[name] { return .builtin(b) }
        return nil
    }

    private func isPlace(_ e: Expr) -> Bool {
        switch e {
        case .name: return true
        case .index(let b, _, _), .field(let b, _, false, _, _): return isPlace(b)
        default: return false
        }
    }

    private func lvalueForAppend(_ base: Expr) -> LValue? {
        if case .name(let name, let r) = base, let res = lookupQuiet(name), case .variable(let v, _) = res, v.isConst {
            error("cannot append to '\(name)': it is a let constant (declared on line \(v.declRange.location.line)); declare it with var", r)
            return nil
        }
        return lvalue(base, compound: true)
    }

    private func function(_ f: FunctionSyntax, name: String? = nil) -> ExprNode {
        let inner = FunctionScope(parent: scope, isTop: false)
        let outer = scope
        scope = inner
        var paramVars: [VarInfo] = []
        for p in f.parameters {
            if let v = declare(p.name, isConst: false, at: p.range, declared: false) {
                v.role = .parameter
                paramVars.append(v)
            }
        }
        // Defaults see the parameters before them.
        var defaults: [ExprNode?] = []
        for (i, p) in f.parameters.enumerated() {
            defaults.append(p.defaultValue.map { expr($0) })
            if i < paramVars.count { paramVars[i].declared = true }
        }
        var boxed: [Int] = []
        for v in paramVars { if case .cell(let s) = v.storage { boxed.append(s) } }
        var expressionBody: ExprNode?
        var body: StmtNode = EmptyStmt(f.range)
        if f.isArrow, case .return(let e?, _) = f.body.first {
            expressionBody = expr(e)
        } else {
            body = sequence(block(f.body), f.range)
        }
        scope = outer
        let proto = FunctionProto(name: f.name ?? name ?? "fn", parameterNames: f.parameters.map(\.name), defaults: defaults,
                                  frameSize: max(inner.nextSlot, 1), body: body, expressionBody: expressionBody,
                                  boxedParameters: boxed, captureSlots: inner.captures.map(\.slot), range: f.range, file: file)
        return FunctionNode(proto, captureFrom: inner.captures.map(\.from), f.range)
    }
}
