/// A compiled function: its parameters, frame layout and body.
final class FunctionProto {
    let name: String
    let parameterNames: [String]
    /// Default-value expressions, evaluated in the callee's frame; nil for required parameters.
    let defaults: [ExprNode?]
    let requiredCount: Int
    let arity: Int
    let frameSize: Int
    let body: StmtNode
    /// For `fn(x) => expr` (when `isArrow`); never optional, so entering costs no retain.
    let expressionBody: ExprNode
    let isArrow: Bool
    /// Parameter slots that closures capture, boxed on entry.
    let boxedParameters: [Int]
    /// Frame slots that receive the closure's captured cells, in capture order.
    let captureSlots: [Int]
    /// True when entry has cells to set up (most functions have none).
    let needsSetup: Bool
    let range: SourceRange
    /// Binds calls that name arguments or leave some to their defaults.
    private(set) lazy var signature = Signature(proto: self)
    /// The body compiled for the VM at the first call; its frame holds the locals
    /// (`frameSize`) and the VM's temporaries.
    var code: Code {
        if let compiled { return compiled }
        let made = Compiler.compile(self)
        compiled = made
        return made
    }
    /// `code`'s hot parts, for the VM's calls.
    var header: CodeHeader {
        if let compiledHeader { return compiledHeader }
        let made = code.header
        compiledHeader = made
        return made
    }
    // Written once, by the interpreter's one thread: no run-time exclusivity checks on
    // every call (they were a tenth of a call's time).
    @exclusivity(unchecked) private var compiled: Code?
    @exclusivity(unchecked) private var compiledHeader: CodeHeader?

    /// The file the function was written in, kept alive with the function: its errors
    /// point into it after the chunk that defined it is gone (a REPL entry's, say).
    let file: SourceFile

    init(name: String, parameterNames: [String], defaults: [ExprNode?], frameSize: Int, body: StmtNode,
         expressionBody: ExprNode?, boxedParameters: [Int], captureSlots: [Int], range: SourceRange, file: SourceFile) {
        self.file = file
        self.name = name
        self.parameterNames = parameterNames
        self.defaults = defaults
        self.requiredCount = defaults.filter { $0 == nil }.count
        self.arity = parameterNames.count
        self.frameSize = frameSize
        self.body = body
        self.expressionBody = expressionBody ?? ExprNode(range)
        self.isArrow = expressionBody != nil
        self.boxedParameters = boxedParameters
        self.captureSlots = captureSlots
        self.needsSetup = !boxedParameters.isEmpty || !captureSlots.isEmpty
        self.range = range
    }
}

/// A function value: its code and the variables it captured.
public final class Closure {
    let proto: FunctionProto
    let captures: [Cell]
    init(proto: FunctionProto, captures: [Cell]) { self.proto = proto; self.captures = captures }
    public var name: String { proto.name }
}

/// `fn(...) {...}` evaluated: captures the enclosing frame's cells.
final class FunctionNode: ExprNode {
    let proto: FunctionProto
    /// Slots of the enclosing frame whose cells the closure captures.
    let captureFrom: [Int]
    init(_ proto: FunctionProto, captureFrom: [Int], _ r: SourceRange) { self.proto = proto; self.captureFrom = captureFrom; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        var cells: [Cell] = []
        cells.reserveCapacity(captureFrom.count)
        for s in captureFrom {
            if case .cell(let c) = f[s] { cells.append(c) } else {
                // Captured before its declaration ran: the declaration will fill this cell.
                let c = Cell(nil)
                f[s] = .cell(c)
                cells.append(c)
            }
        }
        return .function(Closure(proto: proto, captures: cells))
    }
}

final class CallNode: ExprNode {
    let callee: ExprNode
    let args: [ExprNode]
    /// nil when no argument is named (the fast path).
    let labels: [String?]?
    let positionalOnly: Bool
    let argc: Int
    // The first arguments as fields: most calls have few, and fields cost no array traffic.
    let a0: ExprNode
    let a1: ExprNode
    let a2: ExprNode

    init(_ callee: ExprNode, _ args: [ExprNode], labels: [String?]?, _ r: SourceRange) {
        self.callee = callee
        self.args = args
        self.labels = labels
        positionalOnly = labels == nil
        argc = args.count
        // Absent arguments are never evaluated: `argc` decides. Non-optional fields avoid a
        // retain per optional binding on every call.
        a0 = args.count > 0 ? args[0] : callee
        a1 = args.count > 1 ? args[1] : callee
        a2 = args.count > 2 ? args[2] : callee
        let g = callee as? GlobalGet
        calleeIsGlobal = g != nil
        globalStore = g?.store ?? Self.noStore
        globalIndex = g?.index ?? 0
        super.init(r)
    }

    // When the callee is a module-level name it is read in place, without a node call.
    // Plain fields, not an optional, so the hot path binds nothing (and retains nothing).
    nonisolated(unsafe) private static let noStore = GlobalStore()  // never written: a placeholder
    let calleeIsGlobal: Bool
    let globalStore: GlobalStore
    let globalIndex: Int

    @inline(__always) private func calleeValue(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        if calleeIsGlobal, let v = globalStore[globalIndex] { return v }
        return try callee.eval(f, m)
    }

    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let c = try calleeValue(f, m)
        switch c {
        case .function(let clo):
            let p = clo.proto
            if positionalOnly, argc == p.arity, argc <= 3 {
                let size = p.code.frameSize
                let newF = try m.pushCallFrame(size, at: range)
                defer { m.popFrame(newF, size) }
                switch argc {
                case 1:
                    newF[0] = try a0.eval(f, m)
                case 2:
                    newF[0] = try a0.eval(f, m)
                    newF[1] = try a1.eval(f, m)
                case 3:
                    newF[0] = try a0.eval(f, m)
                    newF[1] = try a1.eval(f, m)
                    newF[2] = try a2.eval(f, m)
                default: break
                }
                return try m.enter(clo, newF, callSite: range)
            }
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try a.eval(f, m)) }
            return try m.callClosure(clo, values, labels: labels, at: range)
        case .builtin(let b):
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try a.eval(f, m)) }
            return try m.callBuiltin(b, values, labels: labels, at: range)
        default:
            throw m.error("cannot call \(c.typeNameWithArticle) value", at: callee.range, code: "TypeError")
        }
    }
}

extension Machine {
    /// Runs a closure whose frame is pushed and whose first `parameterNames.count` slots hold the arguments.
    @inline(__always)
    func enter(_ clo: Closure, _ newF: Frame, callSite: SourceRange) throws(Unwind) -> Value {
        let p = clo.proto
        do {
            if p.needsSetup {
                for s in p.boxedParameters { newF[s] = .cell(Cell(newF[s])) }
                for (k, s) in p.captureSlots.enumerated() { newF[s] = .cell(clo.captures[k]) }
            }
            return try runBody(p, newF)
        } catch var unwind {
            unwind.leave(function: p.name, calledFrom: callSite)
            throw unwind
        }
    }

    /// The function's body once its frame is ready: its value, or what `return` gave.
    @inline(__always)
    private func runBody(_ p: FunctionProto, _ newF: Frame) throws(Unwind) -> Value {
        try run(p.code, newF)
    }

    /// Binds positional and named argument values to a closure's parameters and runs it.
    func callClosure(_ clo: Closure, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Value {
        let p = clo.proto
        let binding: Signature.Binding
        switch p.signature.bind(count: values.count, labels: labels) {
        case .success(let b): binding = b
        case .failure(let problem): throw error(p.signature.message(problem), at: range, code: "TypeError")
        }
        let size = p.code.frameSize
        let newF = try pushCallFrame(size, at: range)
        defer { popFrame(newF, size) }
        var given = [Bool](repeating: false, count: p.arity)
        for (i, v) in values.enumerated() {
            guard let k = binding[i] else { continue }
            newF[k] = v
            given[k] = true
        }
        var missing: [(Int, ExprNode)] = []
        for k in 0..<p.arity where !given[k] {
            // The binder made sure every parameter without a default was given.
            guard let d = p.defaults[k] else { continue }
            missing.append((k, d))
        }
        if missing.isEmpty { return try enter(clo, newF, callSite: range) }
        return try enter(clo, newF, callSite: range, defaults: missing)
    }

    /// `enter` for a call that leaves parameters to their defaults. The defaults run inside
    /// the callee, after its cells are set up, so they may capture parameters and read
    /// captured variables, and an error in one has the callee on its stack.
    func enter(_ clo: Closure, _ newF: Frame, callSite: SourceRange, defaults: [(Int, ExprNode)]) throws(Unwind) -> Value {
        let p = clo.proto
        do {
            for (k, s) in p.captureSlots.enumerated() { newF[s] = .cell(clo.captures[k]) }
            for s in p.boxedParameters where !defaults.contains(where: { $0.0 == s }) { newF[s] = .cell(Cell(newF[s])) }
            for (k, d) in defaults {
                let v = try d.eval(newF, self)
                newF[k] = p.boxedParameters.contains(k) ? .cell(Cell(v)) : v
            }
            return try runBody(p, newF)
        } catch var unwind {
            unwind.leave(function: p.name, calledFrom: callSite)
            throw unwind
        }
    }

    /// Calls any function value with positional arguments (for built-ins such as `map`).
    func callValue(_ fn: Value, _ values: [Value], at range: SourceRange) throws(Unwind) -> Value {
        switch fn {
        case .function(let clo): return try callClosure(clo, values, labels: nil, at: range)
        case .builtin(let b): return try callBuiltin(b, values, labels: nil, at: range)
        default: throw error("expected a function, got \(fn.typeName)", at: range, code: "TypeError")
        }
    }

    /// Binds arguments to a built-in's parameters, checks them against the declared types
    /// and runs its body; host errors become script errors.
    func callBuiltin(_ b: Builtin, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Value {
        var args = try bindBuiltin(b, values, labels: labels, at: range)
        do {
            switch b.body {
            case .sync(let body):
                return try body(&args, CallContext(machine: self, range: range))
            case .async(let body):
                let frozen = args
                output.flush()
                return try runAsync { try await body(frozen) }
            }
        } catch {
            throw hostError(error, b, at: range)
        }
    }

    /// A built-in's arguments bound to its parameters and checked against their types.
    func bindBuiltin(_ b: Builtin, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Arguments {
        let params = b.parameters
        if labels == nil, let direct = b.direct, direct.contains(values.count) {
            for (k, v) in values.enumerated() where !params[k].accepts(v) {
                throw argumentTypeError(b, params[k], v, at: range)
            }
            var out = values
            if values.count < params.count {
                out.reserveCapacity(params.count)
                // What the general path below gives the parameters left out.
                for p in params[values.count...] { out.append(p.kind == .variadic ? .list([]) : p.defaultValue ?? .nil) }
            }
            var args = Arguments(builtin: b.name, values: out, parameters: params, givenFirst: values.count)
            if case .async = b.body { args.callerHost = interpreter?.host }
            return args
        }
        let binding: Signature.Binding
        switch b.binder.bind(count: values.count, labels: labels) {
        case .success(let x): binding = x
        case .failure(let problem): throw error(b.binder.message(problem), at: range, code: "TypeError")
        }
        var bound = [Value?](repeating: nil, count: params.count)
        var rest: [Value] = []
        for (i, v) in values.enumerated() {
            if let k = binding[i] { bound[k] = v } else { rest.append(v) }
        }
        var out: [Value] = []
        var given: [Bool] = []
        out.reserveCapacity(params.count)
        for (k, p) in params.enumerated() {
            if p.kind == .variadic {
                if p.type != .any, let bad = rest.first(where: { !p.accepts($0) }) {
                    throw argumentTypeError(b, p, bad, at: range)
                }
                out.append(.list(rest))
                given.append(!rest.isEmpty)
                continue
            }
            if let v = bound[k] {
                if !p.accepts(v) {
                    throw argumentTypeError(b, p, v, at: range)
                }
                out.append(v)
                given.append(true)
                continue
            }
            // The binder made sure every parameter without a default was given.
            out.append(p.defaultValue ?? .nil)
            given.append(false)
        }
        var args = Arguments(builtin: b.name, values: out, parameters: params, given: given)
        // An async built-in runs away from the interpreter, so its arguments carry the host
        // it reads the script's files from.
        if case .async = b.body { args.callerHost = interpreter?.host }
        return args
    }

    /// An argument of the wrong type, as both ways of binding report it.
    private func argumentTypeError(_ b: Builtin, _ p: BuiltinParameter, _ v: Value, at range: SourceRange) -> Unwind {
        error("\(b.name)(): '\(p.name)' must be \(p.type.withArticle), got \(v.typeNameWithArticle)", at: range, code: "TypeError")
    }

    /// What a built-in's thrown error is to the script.
    func hostError(_ error: any Error, _ b: Builtin, at range: SourceRange) -> Unwind {
        if let e = error as? UnwindBox { return e.unwind }
        if let e = error as? ScriptError { return .error(RuntimeError(e.message, code: e.code, at: range, details: e.details)) }
        if error is CancellationError { return .interrupted }
        return .error(RuntimeError("\(b.name)(): \(error)", code: "Error", at: range))
    }
}
