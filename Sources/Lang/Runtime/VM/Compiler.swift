/// Compiles the resolver's node tree into bytecode for the VM. Node kinds without an
/// instruction of their own (closures, `?.`, imports, the target of `a[i] = v`, ...) run
/// through the tree from an `evalExpr`/`execStmt` instruction on the same frame, so every
/// construct behaves exactly as the tree defines it.
struct Compiler {
    private var code: [Instr] = []
    private var constants: [Value] = []
    private var exprs: [ExprNode] = []
    private var stmts: [StmtNode] = []
    private var ranges: [SourceRange] = []
    private var rangeIndex: [RangeKey: Int32] = [:]
    private var globals: [(GlobalStore, Int)] = []
    private var bindings: [(Binding, Binding?)] = []
    private var labelSets: [[String?]] = []
    /// `try` bodies open around the code being compiled.
    private var tryDepth = 0
    private let localCount: Int
    private var top: Int
    private var maxTop: Int
    /// Per enclosing loop: its continue target and the jumps to patch to its end.
    /// continueAt is -1 until known (a `for` tests at its bottom): continues are patched then.
    private var loops: [(continueAt: Int, breaks: [Int], tryDepth: Int, continues: [Int])] = []

    private struct RangeKey: Hashable {
        let file: Int
        let start: Int
        let end: Int
    }

    private init(localCount: Int) {
        self.localCount = localCount
        top = localCount
        maxTop = localCount
    }

    static func compile(_ p: FunctionProto) -> Code {
        var c = Compiler(localCount: p.frameSize)
        if p.isArrow {
            let r = c.operand(p.expressionBody)
            c.emit(.ret, a: r, range: p.range)
        } else {
            c.statement(p.body)
            c.emit(.retNil, range: p.range)
        }
        return c.finish(name: p.name)
    }

    static func compile(_ chunk: Chunk, name: String) -> Code {
        var c = Compiler(localCount: max(chunk.frameSize, 1))
        for s in chunk.body { c.statement(s) }
        c.emit(.retNil, range: SourceRange(file: chunk.file, start: 0, end: 0))
        return c.finish(name: name)
    }

    private func finish(name: String) -> Code {
        Code(name: name, frameSize: max(maxTop, 1), localCount: localCount, instructions: code, constants: constants,
             exprs: exprs, stmts: stmts, ranges: ranges, globals: globals, bindings: bindings, labels: labelSets)
    }

    // MARK: emitting

    @discardableResult
    private mutating func emit(_ op: Op, a: Int = 0, b: Int = 0, c: Int = 0, d: Int = 0, e: Int = 0, range: SourceRange? = nil) -> Int {
        var i = Instr(op: op, a: Int32(a), b: Int32(b), c: Int32(c), d: Int32(d), e: Int32(e))
        if let range { i.r = rangeID(range) }
        code.append(i)
        return code.count - 1
    }

    private mutating func rangeID(_ r: SourceRange) -> Int32 {
        let key = RangeKey(file: r.fileID, start: r.start, end: r.end)
        if let k = rangeIndex[key] { return k }
        ranges.append(r)
        let k = Int32(ranges.count - 1)
        rangeIndex[key] = k
        return k
    }

    private var here: Int { code.count }

    private mutating func patch(_ at: Int, to target: Int) {
        switch code[at].op {
        case .jump: code[at].a = Int32(target)
        case .jumpIfFalse, .jumpIfTrue, .jumpIfNotNil: code[at].b = Int32(target)
        case .compareKJump, .compareJump: code[at].c = Int32(target)
        case .execStmt: code[at].c = Int32(target)
        default: preconditionFailure("patching a non-jump")
        }
    }

    private mutating func constant(_ v: Value) -> Int {
        constants.append(v)
        return constants.count - 1
    }

    private mutating func global(_ store: GlobalStore, _ i: Int) -> Int {
        if let k = globals.firstIndex(where: { $0.0 === store && $0.1 == i }) { return k }
        globals.append((store, i))
        return globals.count - 1
    }

    private mutating func temp() -> Int {
        let t = top
        top += 1
        maxTop = max(maxTop, top)
        return t
    }

    private func isTemp(_ r: Int) -> Bool { r >= localCount }

    // MARK: expressions

    /// A register holding the expression's value: a local's own slot, or a new temporary.
    private mutating func operand(_ e: ExprNode) -> Int {
        if let l = e as? LocalGet { return l.slot }
        let t = temp()
        expr(e, into: t)
        return t
    }

    private static func intImmediate(_ k: Int) -> Bool { k >= Int(Int32.min) && k <= Int(Int32.max) }

    private static func opcode(_ op: BinaryOp) -> Op? {
        switch op {
        case .add: return .add
        case .sub: return .sub
        case .lt: return .lt
        case .le: return .le
        case .gt: return .gt
        case .ge: return .ge
        case .eq: return .eq
        case .ne: return .ne
        default: return nil
        }
    }

    /// Compiles `e` so its value ends in register `dst` (dst < 0: the value is dropped).
    private mutating func expr(_ e: ExprNode, into dst: Int) {
        let mark = top
        defer { top = mark }
        switch e {
        case let n as ConstNode:
            if dst >= 0 { let k = constant(n.value); emit(.const, a: dst, b: k) }
        case let n as LocalGet:
            if dst >= 0, dst != n.slot { emit(.copy, a: dst, b: n.slot) }
        case let n as CellGet:
            let out = scratch(dst)
            let name = constant(.string(n.name))
            emit(.getCell, a: out, b: n.slot, c: name, range: n.range)
        case let n as GlobalGet:
            let out = scratch(dst)
            let ref = global(n.store, n.index)
            emit(.getGlobal, a: out, b: ref, range: n.range)
        case let n as LocalConstNode where Self.intImmediate(n.constant):
            let out = scratch(dst)
            emit(.binaryK, a: out, b: n.slot, c: n.constant, d: Int(n.op.code), range: n.range)
        case let n as AddSubNode:
            binary(n.op, n.left, n.right, dst, n.range)
        case let n as CompareNode:
            binary(n.op, n.left, n.right, dst, n.range)
        case let n as BinaryNode:
            binary(n.op, n.left, n.right, dst, n.range)
        case let n as NotNode:
            let o = operand(n.operand)
            let out = scratch(dst)
            emit(.not, a: out, b: o, range: n.operand.range)
        case let n as NegateNode:
            let o = operand(n.operand)
            let out = scratch(dst)
            emit(.negate, a: out, b: o, range: n.range)
        case let n as AndNode:
            logical(n.left, n.right, and: true, dst)
        case let n as OrNode:
            logical(n.left, n.right, and: false, dst)
        case let n as CoalesceNode:
            let t = dst >= 0 && isTemp(dst) ? dst : temp()
            expr(n.left, into: t)
            let j = emit(.jumpIfNotNil, a: t)
            expr(n.right, into: t)
            patch(j, to: here)
            if dst >= 0, t != dst { emit(.move, a: dst, b: t) } else if dst < 0 { emit(.setNil, a: t) }
        case let n as CallNode where n.labels == nil:
            call(n, dst)
        case let n as CallNode:
            let callee = operand(n.callee)
            let base = arguments(n.args)
            labelSets.append(n.labels ?? [])
            let calleeRange = Int(rangeID(n.callee.range))
            let k = emit(.callNamed, a: dst, b: callee, c: base, d: n.args.count, e: calleeRange, range: n.range)
            code[k].x = Int32(labelSets.count - 1)
        case let n as IndexNode:
            let b = operand(n.base), k = operand(n.index)
            let out = scratch(dst)
            emit(.index, a: out, b: b, c: k, range: n.range)
        case let n as FieldNode where !n.optional:
            let b = operand(n.base)
            let name = constant(.string(n.name))
            let out = scratch(dst)
            let k = emit(.field, a: out, b: b, range: n.range)
            code[k].x = Int32(name)
        case let n as ListNode:
            let base = arguments(n.items)
            if dst >= 0 { emit(.makeList, a: dst, c: base, d: n.items.count) } else {
                for k in 0..<n.items.count { emit(.setNil, a: base + k) }
            }
        case let n as MapNode:
            let base = top
            for _ in 0..<(2 * n.keys.count) { _ = temp() }
            for k in 0..<n.keys.count {
                expr(n.keys[k], into: base + 2 * k)
                if let c = n.keys[k] as? ConstNode, case .string = c.value {} else {
                    emit(.checkKey, a: base + 2 * k, range: n.keys[k].range)
                }
                expr(n.values[k], into: base + 2 * k + 1)
            }
            if dst >= 0 { emit(.makeMap, a: dst, c: base, d: n.keys.count) } else {
                for k in 0..<(2 * n.keys.count) { emit(.setNil, a: base + k) }
            }
        case let n as RangeNode:
            let lo = operand(n.lower), hi = operand(n.upper)
            let out = scratch(dst)
            emit(.makeRange, a: out, b: lo, c: hi, d: n.closed ? 1 : 0, range: n.range)
        case let n as InterpolationNode:
            // Built in a temporary: a part may read the variable being assigned.
            let t = dst >= 0 && isTemp(dst) ? dst : temp()
            let empty = constant(.string(""))
            emit(.const, a: t, b: empty)
            for part in n.parts {
                let mark = top
                let r = operand(part)
                emit(.appendText, a: t, b: r, range: n.range)
                top = mark
            }
            if dst >= 0, t != dst { emit(.move, a: dst, b: t) } else if dst < 0 { emit(.setNil, a: t) }
        case let n as MethodCallNode where !n.optional:
            let recv = operand(n.receiver)
            let base = arguments(n.args)
            var labels = -1
            if let l = n.labels {
                labelSets.append(l)
                labels = labelSets.count - 1
            }
            let name = constant(.string(n.name))
            let k = emit(.callMethod, a: dst, b: recv, c: base, d: n.args.count, e: labels, range: n.range)
            code[k].x = Int32(name)
        case let n as AppendStmt where n.localOrGlobal != nil:
            let v = operand(n.value)
            switch n.localOrGlobal {
            case .local(let k)?: emit(.appendLocal, a: k, b: v, range: n.range)
            case .global(let g, let i)?: let ref = global(g, i); emit(.appendGlobal, a: ref, b: v, range: n.range)
            default: break
            }
            if dst >= 0 { emit(.setNil, a: dst) }
        case let n as AppendStmt:
            let v = operand(n.value)
            exprs.append(n)
            emit(.assignFrom, a: v, b: exprs.count - 1, c: 1)
            if dst >= 0 { emit(.setNil, a: dst) }
        default:
            exprs.append(e)
            emit(.evalExpr, a: dst, b: exprs.count - 1)
        }
    }

    /// Where an instruction that always writes a register writes when the value is dropped.
    private mutating func scratch(_ dst: Int) -> Int { dst >= 0 ? dst : temp() }

    private mutating func binary(_ op: BinaryOp, _ left: ExprNode, _ right: ExprNode, _ dst: Int, _ range: SourceRange) {
        // The left operand goes straight into the result's register when that is the newest
        // temporary (only this instruction reads it): `fib(n - 1) + fib(n - 2)` needs a
        // register less, and every call of the function sets up and clears one slot less.
        let a: Int
        if !(left is LocalGet), dst >= localCount, dst == top - 1 {
            expr(left, into: dst)
            a = dst
        } else {
            a = operand(left)
        }
        if let c = right as? ConstNode, case .int(let k) = c.value, Self.intImmediate(k), Self.opcode(op) != nil {
            let out = scratch(dst)
            emit(.binaryK, a: out, b: a, c: k, d: Int(op.code), range: range)
            return
        }
        let b = operand(right)
        if let fast = Self.opcode(op) {
            let out = scratch(dst)
            emit(fast, a: out, b: a, c: b, range: range)
        } else {
            let out = scratch(dst)
            emit(.binary, a: out, b: a, c: b, d: Int(op.code), range: range)
        }
    }

    /// `and`/`or`: the left operand decides whether the right is evaluated.
    private mutating func logical(_ left: ExprNode, _ right: ExprNode, and: Bool, _ dst: Int) {
        // Into a temporary: a local target may be read by the right operand.
        let t = dst >= 0 && isTemp(dst) ? dst : temp()
        let use = and ? BoolUse.andOperand : .orOperand
        expr(left, into: t)
        let j = emit(and ? .jumpIfFalse : .jumpIfTrue, a: t, c: Int(use.rawValue), range: left.range)
        expr(right, into: t)
        emit(.checkBool, a: t, c: Int(use.rawValue), range: right.range)
        patch(j, to: here)
        if dst >= 0, t != dst { emit(.move, a: dst, b: t) }
    }

    private mutating func call(_ n: CallNode, _ dst: Int) {
        var calleeReg = -1
        var globalRef = -1
        if n.calleeIsGlobal {
            globalRef = global(n.globalStore, n.globalIndex)
        } else {
            calleeReg = operand(n.callee)
        }
        // Arguments start in the result's own register when it is the newest temporary: a
        // call moves its arguments out before it writes the result, and the frame is a
        // register smaller for each call in an expression (`fib(n - 1) + fib(n - 2)`).
        let base = calleeReg < 0 && dst >= localCount && dst == top - 1 ? arguments(n.args, from: dst) : arguments(n.args)
        let calleeRange = Int(rangeID(n.callee.range))
        if globalRef >= 0 {
            emit(.callGlobal, a: dst, b: calleeRange, c: base, d: n.args.count, e: globalRef, range: n.range)
        } else {
            emit(.call, a: dst, b: calleeReg, c: base, d: n.args.count, e: calleeRange, range: n.range)
        }
    }

    /// Evaluates arguments into consecutive temporaries: new ones, or from `start` (the
    /// newest temporary) on. Returns the first.
    private mutating func arguments(_ args: [ExprNode], from start: Int? = nil) -> Int {
        let base = start ?? top
        for _ in (start == nil ? args[...] : args.dropFirst()) { _ = temp() }
        for (k, a) in args.enumerated() { expr(a, into: base + k) }
        return base
    }

    // MARK: statements

    private mutating func statement(_ s: StmtNode) {
        let mark = top
        defer { top = mark }
        switch s {
        case is EmptyStmt: break
        case let n as Sequence2:
            statement(n.first)
            statement(n.second)
        case let n as BlockStmt:
            for x in n.body { statement(x) }
        case let n as ClearSlots:
            for k in n.slots { emit(.setNil, a: k) }
        case let n as ExprStmt:
            if n.echo {
                let t = temp()
                expr(n.expr, into: t)
                emit(.echo, a: t)
            } else {
                expr(n.expr, into: -1)
            }
        case let n as DeclareStmt:
            switch n.storage {
            case .local(let k): assignLocal(k, n.value)
            case .cell(let k):
                let v = operand(n.value)
                emit(.declareCell, a: k, b: v)
            case .global(let g, let i):
                let v = operand(n.value)
                let ref = global(g, i)
                emit(.defineGlobal, a: v, b: ref)
            }
        case let n as SetLocal:
            assignLocal(n.slot, n.value)
        case let n as CompoundLocal:
            let v = operand(n.value)
            emit(.compoundLocal, a: n.slot, b: v, d: Int(n.op.code), range: n.range)
        case let n as SetGlobal:
            let v = operand(n.value)
            let ref = global(n.store, n.index)
            emit(.setGlobal, a: v, b: ref, d: n.op.map { Int($0.code) } ?? -1, range: n.range)
        case let n as IfStmt:
            let j = condition(n.cond)
            statement(n.then)
            if n.otherwise is EmptyStmt {
                patch(j, to: here)
            } else {
                let over = emit(.jump)
                patch(j, to: here)
                statement(n.otherwise)
                patch(over, to: here)
            }
        case let n as WhileStmt:
            let start = here
            let exit = condition(n.cond)
            emit(.step, range: n.range)
            loops.append((start, [], tryDepth, []))
            statement(n.body)
            emit(.jump, a: start)
            let loop = loops.removeLast()
            patch(exit, to: here)
            for b in loop.breaks { patch(b, to: here) }
        case let n as ForStmt:
            forLoop(n)
        case is BreakStmt where !loops.isEmpty:
            leaveTries(to: loops[loops.count - 1].tryDepth)
            let j = emit(.jump)
            loops[loops.count - 1].breaks.append(j)
        case is ContinueStmt where !loops.isEmpty:
            leaveTries(to: loops[loops.count - 1].tryDepth)
            let j = emit(.jump, a: loops[loops.count - 1].continueAt)
            if loops[loops.count - 1].continueAt < 0 { loops[loops.count - 1].continues.append(j) }
        case let n as TryStmt:
            var binding = -1
            if let slot = n.errorSlot {
                bindings.append((Binding(slot), nil))
                binding = bindings.count - 1
            }
            let begin = emit(.tryBegin, b: binding)
            tryDepth += 1
            for x in n.body { statement(x) }
            tryDepth -= 1
            emit(.tryEnd)
            let over = emit(.jump)
            code[begin].a = Int32(here)
            for x in n.handler { statement(x) }
            patch(over, to: here)
        case let n as AssignStmt:
            let v = operand(n.value)
            stmts.append(n)
            emit(.assignFrom, a: v, b: stmts.count - 1)
        case let n as ReturnStmt:
            if let v = n.value {
                let r = operand(v)
                emit(.ret, a: r, range: n.range)
            } else {
                emit(.retNil, range: n.range)
            }
        default:
            stmts.append(s)
            // Break and continue inside a statement the tree runs land at the loop's targets,
            // patched when the loop ends (as a break jump) or known now (continue).
            let i = emit(.execStmt, b: stmts.count - 1, c: -1, d: loops.last?.continueAt ?? -1)
            if !loops.isEmpty {
                loops[loops.count - 1].breaks.append(i)
                if loops[loops.count - 1].continueAt < 0 { loops[loops.count - 1].continues.append(i) }
            }
        }
    }

    /// Leaves the `try` bodies a break or continue jumps out of.
    private mutating func leaveTries(to depth: Int) {
        for _ in depth..<tryDepth { emit(.tryEnd) }
    }

    /// `x = v` into a local slot: straight into the slot, unless `v` could read the slot
    /// after writing part of its value.
    private mutating func assignLocal(_ slot: Int, _ value: ExprNode) {
        switch value {
        case is AndNode, is OrNode, is CoalesceNode, is InterpolationNode:
            let t = temp()
            expr(value, into: t)
            emit(.move, a: slot, b: t)
        default:
            expr(value, into: slot)
        }
    }

    /// Evaluates a condition and emits the jump taken when it is false; returns that jump.
    private mutating func condition(_ c: ExprNode) -> Int {
        if let n = c as? LocalConstNode, Self.intImmediate(n.constant), n.op.isComparison {
            return emit(.compareKJump, a: n.slot, b: n.constant, d: Int(n.op.code), range: n.range)
        }
        if let n = c as? CompareNode {
            let a = operand(n.left), b = operand(n.right)
            return emit(.compareJump, a: a, b: b, d: Int(n.op.code), range: n.range)
        }
        let r = operand(c)
        return emit(.jumpIfFalse, a: r, c: Int(BoolUse.condition.rawValue), range: c.range)
    }

    private mutating func forLoop(_ n: ForStmt) {
        let it = temp(), counter = temp(), bound = temp()
        expr(n.iterable, into: it)
        // One plain local is bound straight into its slot; anything else through `bindings`.
        var binding: Int
        if case .local(let k) = n.first, n.second == nil {
            binding = k
        } else {
            bindings.append((Binding(n.first), n.second.map { Binding($0) }))
            binding = -bindings.count
        }
        emit(.forPrep, a: it, b: counter, c: bound, e: n.second == nil ? 0 : 1, range: n.iterable.range)
        // The test at the bottom: one instruction per turn binds, steps and jumps back.
        let enter = emit(.jump)
        let body = here
        loops.append((-1, [], tryDepth, []))
        statement(n.body)
        let loop = loops.removeLast()
        let test = here
        patch(enter, to: test)
        for c in loop.continues {
            if code[c].op == .execStmt { code[c].d = Int32(test) } else { code[c].a = Int32(test) }
        }
        emit(.forNext, a: it, b: counter, c: bound, d: binding, e: body, range: n.range)
        for b in loop.breaks { patch(b, to: here) }
        emit(.setNil, a: it)
    }
}

extension BinaryOp {
    /// The operator's number in an instruction.
    var code: Int32 {
        switch self {
        case .add: return 0
        case .sub: return 1
        case .mul: return 2
        case .div: return 3
        case .mod: return 4
        case .eq: return 5
        case .ne: return 6
        case .lt: return 7
        case .le: return 8
        case .gt: return 9
        case .ge: return 10
        case .in: return 11
        }
    }

    init(code: Int32) {
        switch code {
        case 0: self = .add
        case 1: self = .sub
        case 2: self = .mul
        case 3: self = .div
        case 4: self = .mod
        case 5: self = .eq
        case 6: self = .ne
        case 7: self = .lt
        case 8: self = .le
        case 9: self = .gt
        case 10: self = .ge
        default: self = .in
        }
    }

    var isComparison: Bool {
        switch self {
        case .lt, .le, .gt, .ge, .eq, .ne: return true
        default: return false
        }
    }
}

extension AppendStmt {
    /// The variable appended to when it is a plain local or a module-level name.
    var localOrGlobal: Storage? {
        guard case .name(let s, _) = target else { return nil }
        if case .cell = s { return nil }
        return s
    }
}
