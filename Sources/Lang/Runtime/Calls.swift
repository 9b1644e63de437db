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

    init(name: String, parameterNames: [String], defaults: [ExprNode?], frameSize: Int, body: StmtNode,
         expressionBody: ExprNode?, boxedParameters: [Int], captureSlots: [Int], range: SourceRange) {
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
                let newF = try m.pushCallFrame(p.frameSize, at: range)
                defer { m.popFrame(newF, p.frameSize) }
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
        if p.isArrow { return try p.expressionBody.eval(newF, self) }
        if try p.body.exec(newF, self) == .returned {
            let v = returnValue
            returnValue = .nil
            return v
        }
        return .nil
    }

    /// Binds positional and named argument values to a closure's parameters and runs it.
    func callClosure(_ clo: Closure, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Value {
        let p = clo.proto
        let n = p.parameterNames.count
        let newF = try pushCallFrame(p.frameSize, at: range)
        defer { popFrame(newF, p.frameSize) }
        var given = [Bool](repeating: false, count: n)
        for (i, v) in values.enumerated() {
            if let label = labels?[i] ?? nil {
                guard let k = p.parameterNames.firstIndex(of: label) else {
                    let hint = suggestion(for: label, among: p.parameterNames).map { " (did you mean '\($0)'?)" } ?? ""
                    throw error("\(p.name)() has no parameter named '\(label)'\(hint)", at: range, code: "TypeError")
                }
                if given[k] { throw error("\(p.name)() got '\(label)' twice", at: range, code: "TypeError") }
                newF[k] = v
                given[k] = true
            } else {
                guard i < n else {
                    throw error("\(p.name)() takes \(arityText(p)) but \(values.count) were given", at: range, code: "TypeError")
                }
                newF[i] = v
                given[i] = true
            }
        }
        var missing: [(Int, ExprNode)] = []
        for k in 0..<n where !given[k] {
            guard let d = p.defaults[k] else {
                throw error("\(p.name)() is missing argument '\(p.parameterNames[k])'", at: range, code: "TypeError")
            }
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

    private func arityText(_ p: FunctionProto) -> String {
        let n = p.parameterNames.count
        if p.requiredCount == n { return "\(n) argument\(n == 1 ? "" : "s")" }
        return "\(p.requiredCount) to \(n) arguments"
    }

    /// Calls any function value with positional arguments (for built-ins such as `map`).
    func callValue(_ fn: Value, _ values: [Value], at range: SourceRange) throws(Unwind) -> Value {
        switch fn {
        case .function(let clo): return try callClosure(clo, values, labels: nil, at: range)
        case .builtin(let b): return try callBuiltin(b, values, labels: nil, at: range)
        default: throw error("expected a function, got \(fn.typeName)", at: range, code: "TypeError")
        }
    }

    /// Binds arguments to a built-in's parameters and runs its body; host errors become script errors.
    func callBuiltin(_ b: Builtin, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Value {
        let params = b.parameters
        var bound = [Value?](repeating: nil, count: params.count)
        var rest: [Value] = []
        let variadic = params.firstIndex { $0.kind == .variadic }
        var position = 0
        for (i, v) in values.enumerated() {
            if let label = labels?[i] ?? nil {
                guard let k = params.firstIndex(where: { $0.name == label && $0.kind != .variadic }) else {
                    let names = params.filter { $0.kind != .variadic }.map(\.name)
                    let hint = suggestion(for: label, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                    throw error("\(b.name)() has no parameter named '\(label)'\(hint)", at: range, code: "TypeError")
                }
                if bound[k] != nil { throw error("\(b.name)() got '\(label)' twice", at: range, code: "TypeError") }
                bound[k] = v
            } else {
                while position < params.count, params[position].kind == .named { position += 1 }
                if position < params.count, params[position].kind == .variadic {
                    rest.append(v)
                } else if position < params.count {
                    bound[position] = v
                    position += 1
                } else {
                    let max = params.filter { $0.kind == .positional }.count
                    throw error("\(b.name)() takes at most \(max) positional argument\(max == 1 ? "" : "s") but \(values.count) were given",
                                at: range, code: "TypeError")
                }
            }
        }
        var out: [Value] = []
        var given: [Bool] = []
        out.reserveCapacity(params.count)
        for (k, p) in params.enumerated() {
            if k == variadic { out.append(.list(rest)); given.append(!rest.isEmpty); continue }
            if let v = bound[k] { out.append(v); given.append(true); continue }
            guard let d = p.defaultValue else {
                throw error("\(b.name)() is missing argument '\(p.name)'", at: range, code: "TypeError")
            }
            out.append(d)
            given.append(false)
        }
        var args = Arguments(builtin: b.name, values: out, names: params.map(\.name), given: given)
        do {
            switch b.body {
            case .sync(let body):
                return try body(&args, CallContext(machine: self, range: range))
            case .async(let body):
                let frozen = args
                output.flush()
                return try runAsync { try await body(frozen) }
            }
        } catch let e as UnwindBox {
            throw e.unwind
        } catch let e as ScriptError {
            throw .error(RuntimeError(e.message, code: e.code, at: range, details: e.details))
        } catch is CancellationError {
            throw .interrupted
        } catch {
            throw .error(RuntimeError("\(b.name)(): \(error)", code: "Error", at: range))
        }
    }
}
