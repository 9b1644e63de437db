/// A script call made by the VM: where to go back to when the callee returns.
struct CallRecord {
    let code: CodeHeader
    /// The instruction after the call.
    let pc: UnsafeMutablePointer<Instr>
    let frame: Frame
    let dst: Int32
    /// The callee, retained while it runs unless a constant global already keeps it.
    let keep: Unmanaged<Closure>?
}

/// The VM's call records in manually managed memory: a push or a pop is a store and a count.
struct CallStack: ~Copyable {
    private var records: UnsafeMutablePointer<CallRecord>
    private var capacity = 256
    private(set) var count = 0

    init() { records = .allocate(capacity: capacity) }

    deinit {
        for k in 0..<count { records[k].keep?.release() }
        records.deallocate()
    }

    @inline(__always) mutating func append(_ r: CallRecord) {
        if count == capacity { grow() }
        (records + count).initialize(to: r)
        count += 1
    }

    /// The last record; the caller releases its `keep`.
    @inline(__always) mutating func removeLast() -> CallRecord {
        count -= 1
        return records[count]
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<CallRecord>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: records, count: count)
        records.deallocate()
        records = bigger
        capacity *= 2
    }
}

/// A `try` in progress in a VM frame.
struct TryHandler {
    let frame: Frame
    /// The handler's first instruction.
    let target: Int32
    /// Where the caught error goes: `Code.bindings[binding]`, or nowhere when negative.
    let binding: Int32
}

/// Where the VM is: the running code, its frame and the next instruction. Passed by
/// address, so switching code costs no reference counting.
struct VMState {
    var code: CodeHeader
    var f: Frame
    var pc: UnsafeMutablePointer<Instr>
}

extension Machine {
    /// Runs `entry` on a frame its caller pushed (of `entry.frameSize` slots) until it
    /// returns. Calls of script functions from here on push VM frames, not native ones;
    /// an error leaving a VM frame gets that function on its call stack, as the caller's
    /// `enter` does for the entry frame.
    func run(_ entry: Code, _ entryFrame: Frame) throws(Unwind) -> Value {
        var s = VMState(code: entry.header, f: entryFrame, pc: entry.instructions)
        return try execute(&s, base: calls.count, entryFrame: entryFrame, pending: nil)
    }

    /// Runs from `s` until the entry frame returns, or (in a fiber) until an async built-in
    /// is started (`suspended`); `pending` is an error to raise first, at `s`.
    func execute(_ s: inout VMState, base: Int, entryFrame: Frame, pending: Unwind?) throws(Unwind) -> Value {
        runDepth += 1
        defer { runDepth -= 1 }
        var pending = pending
        while true {
            do throws(Unwind) {
                if let p = pending {
                    pending = nil
                    throw p
                }
                return try dispatch(&s, base)
            } catch var unwind {
                // The innermost `try` of this run's frames catches a script error.
                if case .error(let e) = unwind, let h = handlers.last, h.frame >= entryFrame {
                    while s.f != h.frame {
                        let rec = calls.removeLast()
                        rec.keep?.release()
                        popFrame(s.f, s.code.frameSize)
                        s.code = rec.code
                        s.f = rec.frame
                    }
                    handlers.removeLast()
                    if h.binding >= 0 { Self.store(e.record, s.code.bindings[Int(h.binding)].0, s.f) }
                    s.pc = s.code.instructions + Int(h.target)
                    continue
                }
                while let h = handlers.last, h.frame >= entryFrame { handlers.removeLast() }
                while calls.count > base {
                    let rec = calls.removeLast()
                    rec.keep?.release()
                    popFrame(s.f, s.code.frameSize)
                    unwind.leave(function: s.code.name, calledFrom: rec.code.ranges[Int((rec.pc - 1).pointee.r)])
                    s.code = rec.code
                    s.f = rec.frame
                }
                throw unwind
            }
        }
    }

    @inline(__always) private func isTemp(_ r: Int32, _ code: CodeHeader) -> Bool { Int(r) >= code.localCount }

    /// Forgets a temporary once its value is used, so a String or List it held has one owner again.
    @inline(__always) private func release(_ r: Int32, _ f: Frame, _ code: CodeHeader, keep: Int32) {
        if Int(r) >= code.localCount, r != keep { f[Int(r)] = .nil }
    }

    @inline(__always) private func take(_ p: Frame) -> Value {
        let v = p.move()
        p.initialize(to: .nil)
        return v
    }

    @inline(never) private func stepFailed(at range: SourceRange) -> Unwind {
        if stepsLeft < 0 { return stepLimitReached(at: range) }
        return .interrupted
    }

    @inline(never) private func notDeclared(_ ref: GlobalRef, at range: SourceRange) -> Unwind {
        error("'\(ref.name)' is used before its declaration has run", at: range, code: "NameError")
    }

    private func dispatch(_ s: inout VMState, _ base: Int) throws(Unwind) -> Value {
        while true {
            let i = s.pc.pointee
            s.pc += 1
            let f = s.f
            let code = s.code
            switch i.op {
            case .const:
                f[Int(i.a)] = code.constants[Int(i.b)]
            case .copy:
                f[Int(i.a)] = f[Int(i.b)]
            case .move:
                f[Int(i.a)] = take(f + Int(i.b))
            case .setNil:
                f[Int(i.a)] = .nil
            case .getGlobal:
                let ref = code.globals[Int(i.b)]
                guard let v = ref.pointer.pointee else { throw notDeclared(ref, at: code.ranges[Int(i.r)]) }
                f[Int(i.a)] = v
            case .defineGlobal:
                let ref = code.globals[Int(i.b)]
                ref.pointer.pointee = isTemp(i.a, code) ? take(f + Int(i.a)) : f[Int(i.a)]
            case .setGlobal:
                if i.d == 0, case .int(let y) = f[Int(i.a)] {
                    let p = UnsafeMutableRawPointer(code.globals[Int(i.b)].pointer).assumingMemoryBound(to: Value.self)
                    if case .int(let x) = p.pointee {
                        let (r, o) = x.addingReportingOverflow(y)
                        if !o { p.initialize(to: .int(r)); continue }
                    }
                }
                try setGlobal(i, f, code)
            case .getCell:
                if case .cell(let c) = f[Int(i.b)], let v = c.value {
                    f[Int(i.a)] = v
                } else {
                    guard case .string(let name) = code.constants[Int(i.c)] else { break }
                    throw error("'\(name)' is used before its declaration has run", at: code.ranges[Int(i.r)], code: "NameError")
                }
            case .declareCell:
                let v = isTemp(i.b, code) ? take(f + Int(i.b)) : f[Int(i.b)]
                let slot = Int(i.a)
                if case .cell(let c) = f[slot], c.value == nil { c.value = v } else { f[slot] = .cell(Cell(v)) }
            case .evalExpr:
                let v = try code.exprs[Int(i.b)].eval(f, self)
                if i.a >= 0 { f[Int(i.a)] = v }
            case .execStmt:
                switch try code.stmts[Int(i.b)].exec(f, self) {
                case .normal: break
                case .breakLoop: s.pc = code.instructions + Int(i.c)
                case .continueLoop: s.pc = code.instructions + Int(i.d)
                case .returned:
                    let v = returnValue
                    returnValue = .nil
                    if let done = leave(v, &s, base) { return done }
                }
            case .jump:
                s.pc = code.instructions + Int(i.a)
            case .jumpIfFalse, .jumpIfTrue:
                guard case .bool(let t) = f[Int(i.a)] else {
                    throw conditionError(f[Int(i.a)], BoolUse(rawValue: i.c)?.text ?? "condition", code.ranges[Int(i.r)], self)
                }
                if t == (i.op == .jumpIfTrue) { s.pc = code.instructions + Int(i.b) }
            case .checkBool:
                guard case .bool = f[Int(i.a)] else {
                    throw conditionError(f[Int(i.a)], BoolUse(rawValue: i.c)?.text ?? "condition", code.ranges[Int(i.r)], self)
                }
            case .jumpIfNotNil:
                if !f[Int(i.a)].isNil { s.pc = code.instructions + Int(i.b) }
            case .not:
                let v = f[Int(i.b)]
                guard case .bool(let x) = v else { throw conditionError(v, "the operand of 'not'", code.ranges[Int(i.r)], self) }
                f[Int(i.a)] = .bool(!x)
            case .negate:
                f[Int(i.a)] = try negate(f[Int(i.b)], code.ranges[Int(i.r)])
            case .add:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] {
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { f[Int(i.a)] = .int(r); continue }
                }
                try slowBinary(.add, i, f, code)
            case .sub:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] {
                    let (r, o) = x.subtractingReportingOverflow(y)
                    if !o { f[Int(i.a)] = .int(r); continue }
                }
                try slowBinary(.sub, i, f, code)
            case .lt:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x < y); continue }
                try slowBinary(.lt, i, f, code)
            case .le:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x <= y); continue }
                try slowBinary(.le, i, f, code)
            case .gt:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x > y); continue }
                try slowBinary(.gt, i, f, code)
            case .ge:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x >= y); continue }
                try slowBinary(.ge, i, f, code)
            case .eq:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x == y); continue }
                try slowBinary(.eq, i, f, code)
            case .ne:
                if case .int(let x) = f[Int(i.b)], case .int(let y) = f[Int(i.c)] { f[Int(i.a)] = .bool(x != y); continue }
                try slowBinary(.ne, i, f, code)
            case .binary:
                try slowBinary(BinaryOp(code: i.d), i, f, code)
            case .binaryK:
                if case .int(let x) = f[Int(i.b)] {
                    let k = Int(i.c)
                    switch i.d {
                    case 0: let (r, o) = x.addingReportingOverflow(k); if !o { f[Int(i.a)] = .int(r); continue }
                    case 1: let (r, o) = x.subtractingReportingOverflow(k); if !o { f[Int(i.a)] = .int(r); continue }
                    case 5: f[Int(i.a)] = .bool(x == k); continue
                    case 6: f[Int(i.a)] = .bool(x != k); continue
                    case 7: f[Int(i.a)] = .bool(x < k); continue
                    case 8: f[Int(i.a)] = .bool(x <= k); continue
                    case 9: f[Int(i.a)] = .bool(x > k); continue
                    case 10: f[Int(i.a)] = .bool(x >= k); continue
                    default: break
                    }
                }
                let v = try binary(BinaryOp(code: i.d), f[Int(i.b)], .int(Int(i.c)), code.ranges[Int(i.r)], self)
                release(i.b, f, code, keep: i.a)
                f[Int(i.a)] = v
            case .compareKJump:
                let holds: Bool
                if case .int(let x) = f[Int(i.a)] {
                    holds = Self.compare(x, Int(i.b), i.d)
                } else {
                    holds = try compareSlow(f[Int(i.a)], .int(Int(i.b)), i, code)
                }
                if !holds { s.pc = code.instructions + Int(i.c) }
            case .compareJump:
                let holds: Bool
                if case .int(let x) = f[Int(i.a)], case .int(let y) = f[Int(i.b)] {
                    holds = Self.compare(x, y, i.d)
                } else {
                    holds = try compareSlow(f[Int(i.a)], f[Int(i.b)], i, code)
                    release(i.a, f, code, keep: -1)
                    release(i.b, f, code, keep: -1)
                }
                if !holds { s.pc = code.instructions + Int(i.c) }
            case .compoundLocal:
                let slot = Int(i.a)
                if case .int(let x) = f[slot], case .int(let y) = f[Int(i.b)] {
                    if i.d == 0 { let (r, o) = x.addingReportingOverflow(y); if !o { f[slot] = .int(r); continue } }
                    if i.d == 1 { let (r, o) = x.subtractingReportingOverflow(y); if !o { f[slot] = .int(r); continue } }
                }
                let v = isTemp(i.b, code) ? take(f + Int(i.b)) : f[Int(i.b)]
                if i.d == 0, appendInPlace(&f[slot], v) { continue }
                try compound(BinaryOp(code: i.d), &f[slot], v, code.ranges[Int(i.r)], self)
            case .callGlobal:
                let ref = code.globals[Int(i.e)]
                let p = ref.pointer
                if let peeked = FunctionPeek.closure(p) {
                    if try enterVM(peeked, keep: !ref.isConstant, i, &s) { continue }
                } else if case .function(let clo)? = p.pointee {
                    if try enterVM(.passUnretained(clo), keep: !ref.isConstant, i, &s) { continue }
                }
                guard let callee = p.pointee else { throw notDeclared(ref, at: code.ranges[Int(i.b)]) }
                guard let v = try callSlow(callee, i, f, code, calleeRange: Int(i.b), labels: nil) else { return .nil }
                if i.a >= 0 { f[Int(i.a)] = v }
            case .call:
                if case .function(let clo) = f[Int(i.b)], try enterVM(.passUnretained(clo), keep: true, i, &s) {
                    release(i.b, f, code, keep: -1)
                    continue
                }
                let callee = f[Int(i.b)]
                release(i.b, f, code, keep: -1)
                guard let v = try callSlow(callee, i, f, code, calleeRange: Int(i.e), labels: nil) else { return .nil }
                if i.a >= 0 { f[Int(i.a)] = v }
            case .callNamed:
                let callee = f[Int(i.b)]
                release(i.b, f, code, keep: -1)
                guard let v = try callSlow(callee, i, f, code, calleeRange: Int(i.e), labels: code.labels[Int(i.x)]) else { return .nil }
                if i.a >= 0 { f[Int(i.a)] = v }
            case .callMethod:
                let recv = f[Int(i.b)]
                release(i.b, f, code, keep: -1)
                let values = takeArguments(i, f)
                guard case .string(let name) = code.constants[Int(i.x)] else { break }
                let v = try callMethod(recv, name, values, labels: i.e >= 0 ? code.labels[Int(i.e)] : nil, at: code.ranges[Int(i.r)])
                if i.a >= 0 { f[Int(i.a)] = v }
            case .index:
                let v = try subscriptGet(f[Int(i.b)], f[Int(i.c)], code.ranges[Int(i.r)], self)
                release(i.b, f, code, keep: i.a)
                release(i.c, f, code, keep: i.a)
                f[Int(i.a)] = v
            case .field:
                guard case .string(let name) = code.constants[Int(i.x)] else { break }
                let v = try fieldGet(f[Int(i.b)], name, code.ranges[Int(i.r)], self)
                release(i.b, f, code, keep: i.a)
                f[Int(i.a)] = v
            case .makeList:
                f[Int(i.a)] = .list(takeArguments(i, f))
            case .makeRange:
                guard case .int(let lo) = f[Int(i.b)], case .int(let hi) = f[Int(i.c)] else {
                    throw error("range bounds must be Ints, got \(f[Int(i.b)].typeName) and \(f[Int(i.c)].typeName)",
                                at: code.ranges[Int(i.r)], code: "TypeError")
                }
                f[Int(i.a)] = .range(RangeValue(lower: lo, upper: hi, closed: i.d == 1))
            case .appendText:
                guard var text = f[Int(i.a)].takeString() else { break }
                guard let t = f[Int(i.b)].text(limit: maxStringBytes - text.utf8.count) else {
                    throw error("string would be too large", at: code.ranges[Int(i.r)], code: "MemoryError")
                }
                release(i.b, f, code, keep: i.a)
                text += t
                f[Int(i.a)] = .string(text)
            case .tryBegin:
                handlers.append(TryHandler(frame: f, target: i.a, binding: i.b))
            case .tryEnd:
                handlers.removeLast()
            case .ret:
                let v = f[Int(i.a)]
                if let done = leave(v, &s, base) { return done }
            case .retNil:
                if let done = leave(.nil, &s, base) { return done }
            case .forPrep:
                try forPrep(i, f, code)
            case .forNext:
                // Falls through when the loop is over; otherwise binds, takes the turn's step
                // (the tree's order: bind, step, body) and jumps back to the body.
                if try !forNext(i, f, code) { continue }
                stepsLeft &-= 1
                if stepsLeft < 0 || cancellation.isRequested { throw stepFailed(at: code.ranges[Int(i.r)]) }
                s.pc = code.instructions + Int(i.e)
            case .step:
                stepsLeft &-= 1
                if stepsLeft < 0 || cancellation.isRequested { throw stepFailed(at: code.ranges[Int(i.r)]) }
            case .echo:
                let v = f[Int(i.a)]
                if !v.isNil { output.write(v.repr + "\n") }
                f[Int(i.a)] = .nil
            case .appendLocal:
                let v = isTemp(i.b, code) ? take(f + Int(i.b)) : f[Int(i.b)]
                try append(v, to: &f[Int(i.a)], code.ranges[Int(i.r)])
            case .appendGlobal:
                let ref = code.globals[Int(i.a)]
                let v = isTemp(i.b, code) ? take(f + Int(i.b)) : f[Int(i.b)]
                let p = ref.pointer
                guard var list = p.pointee else { throw notDeclared(ref, at: code.ranges[Int(i.r)]) }
                p.pointee = .nil
                defer { p.pointee = list }
                try append(v, to: &list, code.ranges[Int(i.r)])
            }
        }
    }

    @inline(__always) private static func compare(_ x: Int, _ y: Int, _ op: Int32) -> Bool {
        switch op {
        case 7: return x < y
        case 8: return x <= y
        case 9: return x > y
        case 10: return x >= y
        case 5: return x == y
        default: return x != y
        }
    }

    private func compareSlow(_ a: Value, _ b: Value, _ i: Instr, _ code: CodeHeader) throws(Unwind) -> Bool {
        let v = try binary(BinaryOp(code: i.d), a, b, code.ranges[Int(i.r)], self)
        guard case .bool(let t) = v else { return false }
        return t
    }

    private func slowBinary(_ op: BinaryOp, _ i: Instr, _ f: Frame, _ code: CodeHeader) throws(Unwind) {
        let v = try binary(op, f[Int(i.b)], f[Int(i.c)], code.ranges[Int(i.r)], self)
        release(i.b, f, code, keep: i.a)
        release(i.c, f, code, keep: i.a)
        f[Int(i.a)] = v
    }

    private func negate(_ v: Value, _ range: SourceRange) throws(Unwind) -> Value {
        switch v {
        case .int(let i):
            guard i != .min else { throw error("integer overflow in -(\(i))", at: range, code: "OverflowError") }
            return .int(-i)
        case .float(let d): return .float(-d)
        case .duration(let d):
            guard d != .min else { throw error("duration overflow", at: range, code: "OverflowError") }
            return .duration(-d)
        default: throw error("cannot negate \(v.typeNameWithArticle)", at: range, code: "TypeError")
        }
    }

    /// `x = v` and `x op= v` on a declared module-level variable (as `SetGlobal`).
    private func setGlobal(_ i: Instr, _ f: Frame, _ code: CodeHeader) throws(Unwind) {
        let ref = code.globals[Int(i.b)]
        let v = isTemp(i.a, code) ? take(f + Int(i.a)) : f[Int(i.a)]
        let p = ref.pointer
        if case .none = p.pointee { throw notDeclared(ref, at: code.ranges[Int(i.r)]) }
        guard i.d >= 0 else { p.pointee = v; return }
        if case .int(let x)? = p.pointee, case .int(let y) = v, i.d == 0 {
            let (r, o) = x.addingReportingOverflow(y)
            if !o { p.pointee = .int(r); return }
        }
        // Moved out, so `current` holds the only reference: strings and lists grow in place.
        var current = p.move() ?? .nil
        p.initialize(to: .nil)
        if i.d == 0, appendInPlace(&current, v) {
            p.pointee = current
            return
        }
        do {
            try compound(BinaryOp(code: i.d), &current, v, code.ranges[Int(i.r)], self)
        } catch {
            p.pointee = current
            throw error
        }
        p.pointee = current
    }

    /// `s += t` on a String held alone, in place; false when not that case or when the
    /// result would pass the limit (then `compound` raises the error).
    @inline(__always) private func appendInPlace(_ slot: inout Value, _ v: Value) -> Bool {
        guard case .string(let t) = v, case .string = slot, var s = slot.takeString() else { return false }
        guard s.utf8.count + t.utf8.count <= maxStringBytes else {
            slot = .string(s)
            return false
        }
        s += t
        slot = .string(s)
        return true
    }

    private func append(_ v: Value, to slot: inout Value, _ r: SourceRange) throws(Unwind) {
        guard case .list = slot, var items = slot.takeList() else {
            throw error("append() needs a List, got \(slot.typeName)", at: r, code: "TypeError")
        }
        guard items.count < maxListCount else {
            slot = .list(items)
            throw error("list would be too large", at: r, code: "MemoryError")
        }
        items.append(v)
        slot = .list(items)
    }

    /// Pushes the callee's frame, moves the arguments in and continues in the callee.
    @inline(__always)
    private func enterVM(_ function: Unmanaged<Closure>, keep: Bool, _ i: Instr, _ s: inout VMState) throws(Unwind) -> Bool {
        let code = s.code
        let argc = Int(i.d)
        let found: CodeHeader? = function._withUnsafeGuaranteedRef { clo in clo.proto.arity == argc ? clo.proto.header : nil }
        guard let callee = found else { return false }
        stepsLeft &-= 1
        if stepsLeft < 0 || cancellation.isRequested { throw stepFailed(at: code.ranges[Int(i.r)]) }
        let size = callee.frameSize
        let newF = sp
        guard depth < maxDepth, newF + size <= stackEnd else {
            throw error("call stack too deep (more than \(depth) nested calls)", at: code.ranges[Int(i.r)], code: "StackOverflow")
        }
        // The arguments move over; the rest of the frame starts nil.
        let args = s.f + Int(i.c)
        newF.moveInitialize(from: args, count: argc)
        for k in 0..<argc { (args + k).initialize(to: .nil) }
        for k in argc..<size { (newF + k).initialize(to: .nil) }
        sp = newF + size
        depth += 1
        function._withUnsafeGuaranteedRef { clo in
            let p = clo.proto
            if p.needsSetup {
                for s in p.boxedParameters { newF[s] = .cell(Cell(newF[s])) }
                for (k, s) in p.captureSlots.enumerated() { newF[s] = .cell(clo.captures[k]) }
            }
        }
        calls.append(CallRecord(code: code, pc: s.pc, frame: s.f, dst: i.a, keep: keep ? function.retain() : nil))
        s.code = callee
        s.f = newF
        s.pc = callee.instructions
        return true
    }

    /// Returns from the current frame: the value for the VM's caller when this was the
    /// entry frame, nil when execution goes on in the calling VM frame.
    @inline(__always)
    private func leave(_ v: Value, _ s: inout VMState, _ base: Int) -> Value? {
        // A return from inside `try` bodies leaves them.
        while let h = handlers.last, h.frame == s.f { handlers.removeLast() }
        if calls.count == base { return v }
        popFrame(s.f, s.code.frameSize)
        let rec = calls.removeLast()
        rec.keep?.release()
        s.code = rec.code
        s.f = rec.frame
        s.pc = rec.pc
        if rec.dst >= 0 { s.f[Int(rec.dst)] = v }
        return nil
    }

    /// A call the VM does not make itself: a built-in, named or defaulted arguments, a wrong
    /// count (which the binder reports) or a value that is not a function.
    private func callSlow(_ callee: Value, _ i: Instr, _ f: Frame, _ code: CodeHeader, calleeRange: Int, labels: [String?]?) throws(Unwind) -> Value? {
        let values = takeArguments(i, f)
        let range = code.ranges[Int(i.r)]
        switch callee {
        case .function(let clo): return try callClosure(clo, values, labels: labels, at: range)
        case .builtin(let b):
            // A fiber's own wait: started, and the fiber parks until it ends.
            if case .async(let body) = b.body, let (scheduler, index) = fiber, runDepth == 1 {
                let args = try bindBuiltin(b, values, labels: labels, at: range)
                output.flush()
                scheduler.start(index, b, body, args, at: range, machine: self)
                waitingResult = i.a
                suspended = true
                return nil
            }
            return try callBuiltin(b, values, labels: labels, at: range)
        default:
            throw error("cannot call \(callee.typeNameWithArticle) value", at: code.ranges[calleeRange], code: "TypeError")
        }
    }

    /// The arguments c..c+d, moved out of their temporaries.
    private func takeArguments(_ i: Instr, _ f: Frame) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(Int(i.d))
        let args = f + Int(i.c)
        for k in 0..<Int(i.d) { values.append(take(args + k)) }
        return values
    }

    // MARK: for loops

    private func forPrep(_ i: Instr, _ f: Frame, _ code: CodeHeader) throws(Unwind) {
        let it = Int(i.a), counter = Int(i.b), bound = Int(i.c)
        switch f[it] {
        case .range(let r):
            if i.e != 0 {
                throw error("a Range gives one value per turn: use 'for x in range'", at: code.ranges[Int(i.r)], code: "TypeError")
            }
            f[counter] = .int(r.lower)
            f[bound] = .int(r.upper)
            // The iterable's register says only whether the range is closed from here on.
            f[it] = .bool(r.closed)
        case .list, .map:
            f[counter] = .int(0)
        case .string(let s):
            f[it] = .list(s.map { .string(String($0)) })
            f[counter] = .int(0)
        case let v:
            throw error("cannot loop over \(v.typeNameWithArticle): use a List, Map, Range or String", at: code.ranges[Int(i.r)], code: "TypeError")
        }
    }

    /// Binds the next turn's variables; false when the loop is over.
    @inline(__always)
    private func forNext(_ i: Instr, _ f: Frame, _ code: CodeHeader) throws(Unwind) -> Bool {
        let it = Int(i.a), counter = Int(i.b)
        guard case .int(let k) = f[counter] else { return false }
        switch f[it] {
        case .bool(let closed):
            guard case .int(let end) = f[Int(i.c)] else { return false }
            if closed ? k > end : k >= end { return false }
            // The counter and a plain loop variable hold only Ints (or nil): no destructor to run.
            if i.d >= 0, f[Int(i.d)].isTrivial { (f + Int(i.d)).initialize(to: .int(k)) } else { bind(.int(k), i.d, second: nil, f, code) }
            (f + counter).initialize(to: closed && k == .max ? .nil : .int(k + 1))
        case .list(let items):
            guard k < items.count else { return false }
            if i.d < 0, code.bindings[Int(-i.d - 1)].1 != nil {
                bind(.int(k), i.d, second: items[k], f, code)
            } else {
                bind(items[k], i.d, second: nil, f, code)
            }
            f[counter] = .int(k + 1)
        case .map(let ms):
            guard k < ms.entries.count else { return false }
            let key = Value.string(ms.entries.keys[k])
            if i.d < 0, code.bindings[Int(-i.d - 1)].1 != nil {
                bind(key, i.d, second: ms.entries.values[k], f, code)
            } else {
                bind(key, i.d, second: nil, f, code)
            }
            f[counter] = .int(k + 1)
        default:
            return false
        }
        return true
    }

    /// Binds a loop variable: `d >= 0` is a plain local slot; otherwise `bindings[-d - 1]`.
    @inline(__always)
    private func bind(_ v: Value, _ d: Int32, second: Value?, _ f: Frame, _ code: CodeHeader) {
        if d >= 0 { f[Int(d)] = v; return }
        let (first, other) = code.bindings[Int(-d - 1)]
        Self.store(v, first, f)
        if let other, let second { Self.store(second, other, f) }
    }

    static func store(_ v: Value, _ b: Binding, _ f: Frame) {
        switch b {
        case .local(let k): f[k] = v
        case .cell(let k): f[k] = .cell(Cell(v))
        case .global(let store, let i): store[i] = v
        }
    }
}
