/// A script call made by the VM: where to go back to when the callee returns.
struct CallRecord {
    let code: CodeHeader
    /// The instruction after the call. The call itself, just before it, names the register
    /// that receives the result (its `a`, negative for none): read there at the return.
    let pc: UnsafeMutablePointer<Instr>
    let frame: Frame
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
        count &+= 1
    }

    /// The last record; the caller releases its `keep`.
    @inline(__always) mutating func removeLast() -> CallRecord {
        count &-= 1
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
                        popFrame(s.f, s.code.frameSize)
                        s.code = rec.code
                        s.f = rec.frame
                        // Last: the record may hold the only reference to the callee, whose
                        // code the lines above read.
                        rec.keep?.release()
                    }
                    handlers.removeLast()
                    if h.binding >= 0 { Self.store(e.record, s.code.bindings[Int(h.binding)].0, s.f) }
                    s.pc = s.code.instructions + Int(h.target)
                    continue
                }
                while let h = handlers.last, h.frame >= entryFrame { handlers.removeLast() }
                while calls.count > base {
                    let rec = calls.removeLast()
                    popFrame(s.f, s.code.frameSize)
                    unwind.leave(function: s.code.name, calledFrom: rec.code.ranges[Int((rec.pc - 1).pointee.r)])
                    s.code = rec.code
                    s.f = rec.frame
                    rec.keep?.release()
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

    @inline(never) private func notDeclared(_ ref: GlobalRef, at range: SourceRange) -> Unwind {
        error("'\(ref.name)' is used before its declaration has run", at: range, code: "NameError")
    }

    /// The dispatch loop: the common instructions and the fast paths of the others inline,
    /// everything else in `slowPath`, so the loop keeps its state in registers (with every
    /// handler inline, the compiler spilled and reloaded it at every turn).
    private func dispatch(_ s: inout VMState, _ base: Int) throws(Unwind) -> Value {
        // The position, frame and code (one word: a pointer to the code's hot parts) live
        // in registers, and `s` is brought up to date only where something else reads it:
        // the slow path and an error. A load of the position from memory at every turn was
        // the loop's longest dependency, and storing all three at every call and return a
        // few percent of a call's cost.
        var pc = s.pc
        var f = s.f
        var code = s.code
        do throws(Unwind) {
            while true {
                let i = pc
                pc += 1
                switch i.pointee.op {
                case .const:
                    Self.put(code.constants[Int(i.pointee.b)], f + Int(i.pointee.a))
                    continue
                case .copy:
                    f[Int(i.pointee.a)] = f[Int(i.pointee.b)]
                    continue
                case .setNil:
                    f[Int(i.pointee.a)] = .nil
                    continue
                case .jump:
                    pc = code.instructions + Int(i.pointee.a)
                    continue
                case .jumpIfFalse, .jumpIfTrue:
                    if case .bool(let t) = f[Int(i.pointee.a)] {
                        if t == (i.pointee.op == .jumpIfTrue) { pc = code.instructions + Int(i.pointee.b) }
                        continue
                    }
                case .getGlobal:
                    if let v = code.globals[Int(i.pointee.b)].pointer.pointee {
                        f[Int(i.pointee.a)] = v
                        continue
                    }
                case .setGlobal:
                    if i.pointee.d == 0, case .int(let y) = f[Int(i.pointee.a)] {
                        let p = UnsafeMutableRawPointer(code.globals[Int(i.pointee.b)].pointer).assumingMemoryBound(to: Value.self)
                        if case .int(let x) = p.pointee {
                            let (r, o) = x.addingReportingOverflow(y)
                            if !o { p.initialize(to: .int(r)); continue }
                        }
                    }
                case .add:
                    if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] {
                        let (r, o) = x.addingReportingOverflow(y)
                        if !o { Self.put(.int(r), f + Int(i.pointee.a)); continue }
                    }
                case .sub:
                    if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] {
                        let (r, o) = x.subtractingReportingOverflow(y)
                        if !o { Self.put(.int(r), f + Int(i.pointee.a)); continue }
                    }
                case .lt, .le, .gt, .ge, .eq, .ne:
                    if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] {
                        Self.put(.bool(Self.compare(x, y, i.pointee.op)), f + Int(i.pointee.a))
                        continue
                    }
                case .binaryK:
                    if case .int(let x) = f[Int(i.pointee.b)] {
                        let k = Int(i.pointee.c)
                        switch i.pointee.d {
                        case 0: let (r, o) = x.addingReportingOverflow(k); if !o { Self.put(.int(r), f + Int(i.pointee.a)); continue }
                        case 1: let (r, o) = x.subtractingReportingOverflow(k); if !o { Self.put(.int(r), f + Int(i.pointee.a)); continue }
                        case 5...10: Self.put(.bool(Self.compare(x, k, i.pointee.d)), f + Int(i.pointee.a)); continue
                        default: break
                        }
                    }
                case .compareKJump:
                    if case .int(let x) = f[Int(i.pointee.a)] {
                        if !Self.compare(x, Int(i.pointee.b), i.pointee.d) { pc = code.instructions + Int(i.pointee.c) }
                        continue
                    }
                case .compareJump:
                    if case .int(let x) = f[Int(i.pointee.a)], case .int(let y) = f[Int(i.pointee.b)] {
                        if !Self.compare(x, y, i.pointee.d) { pc = code.instructions + Int(i.pointee.c) }
                        continue
                    }
                case .compoundLocal:
                    let slot = f + Int(i.pointee.a)
                    if i.pointee.d == 0, case .int(let x) = slot.pointee, case .int(let y) = f[Int(i.pointee.b)] {
                        let (r, o) = x.addingReportingOverflow(y)
                        if !o { slot.initialize(to: .int(r)); continue }
                    }
                case .callGlobal:
                    let ref = code.globals[Int(i.pointee.e)]
                    var st = VMState(code: code, f: f, pc: pc)
                    if let peeked = FunctionPeek.closure(ref.pointer, tag: functionTag), try enterVM(peeked, keep: !ref.isConstant, i, &st) {
                        pc = st.pc
                        f = st.f
                        code = st.code
                        continue
                    }
                case .call:
                    var st = VMState(code: code, f: f, pc: pc)
                    let calleeIsTemp = Int(i.pointee.b) >= code.localCount
                    if case .function(let clo) = f[Int(i.pointee.b)], try enterVM(.passUnretained(clo), keep: true, i, &st) {
                        // The callee, now kept by its call record, leaves its temporary.
                        if calleeIsTemp { f[Int(i.pointee.b)] = .nil }
                        pc = st.pc
                        f = st.f
                        code = st.code
                        continue
                    }
                case .ret:
                    // Moved out: the frame is going away.
                    var st = VMState(code: code, f: f, pc: pc)
                    if let done = leave(take(f + Int(i.pointee.a)), &st, base) { s = st; return done }
                    pc = st.pc
                    f = st.f
                    code = st.code
                    continue
                case .retNil:
                    var st = VMState(code: code, f: f, pc: pc)
                    if let done = leave(.nil, &st, base) { s = st; return done }
                    pc = st.pc
                    f = st.f
                    code = st.code
                    continue
                case .forNext:
                    // A loop over a half-open Range (`forPrep` makes closed ones half-open where the
                    // bound allows) with a plain local variable: Ints only, nothing to destroy.
                    let d = Int(i.pointee.d)
                    if d >= 0, case .bool(false) = f[Int(i.pointee.a)], case .int(let k) = f[Int(i.pointee.b)],
                       case .int(let end) = f[Int(i.pointee.c)], TrivialPeek.isTrivial(f + d) {
                        if k >= end { continue }
                        (f + d).initialize(to: .int(k))
                        // k < end, so k + 1 fits.
                        (f + Int(i.pointee.b)).initialize(to: .int(k &+ 1))
                        stepsLeft &-= 1
                        if stepsLeft < 0 { try nextSlice(at: code.ranges[Int(i.pointee.r)]) }
                        pc = code.instructions + Int(i.pointee.e)
                        continue
                    }
                case .step:
                    stepsLeft &-= 1
                    if stepsLeft < 0 { try nextSlice(at: code.ranges[Int(i.pointee.r)]) }
                    continue
                case .appendLocal:
                    let v = isTemp(i.pointee.b, code) ? take(f + Int(i.pointee.b)) : f[Int(i.pointee.b)]
                    try append(v, to: &f[Int(i.pointee.a)], code.ranges[Int(i.pointee.r)])
                    continue
                case .appendGlobal:
                    let ref = code.globals[Int(i.pointee.a)]
                    let v = isTemp(i.pointee.b, code) ? take(f + Int(i.pointee.b)) : f[Int(i.pointee.b)]
                    let p = ref.pointer
                    if case .none = p.pointee { throw notDeclared(ref, at: code.ranges[Int(i.pointee.r)]) }
                    // A declared global's `Value?` has the layout of its `Value`: appended in place,
                    // without a copy that would make the list shared (and copied) for the append.
                    let slot = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Value.self)
                    try append(v, to: &slot.pointee, code.ranges[Int(i.pointee.r)])
                    continue
                // Listed rather than `default`: with every case named the compiler drops the
                // jump table's range check from each dispatch.
                case .move, .defineGlobal, .getCell, .declareCell, .evalExpr, .execStmt, .checkBool,
                     .jumpIfNotNil, .not, .negate, .binary, .forPrep, .echo, .callNamed, .callMethod,
                     .index, .field, .makeList, .makeRange, .appendText, .tryBegin, .tryEnd, .checkKey,
                     .makeMap, .assignFrom:
                    break
                }
                s = VMState(code: code, f: f, pc: pc)
                if let done = try slowPath(i, &s, base) { return done }
                pc = s.pc
                f = s.f
                code = s.code
            }
        } catch {
            // What the slow path left in `s` is what the locals hold: it changes the frame
            // only where it cannot fail afterwards.
            s = VMState(code: code, f: f, pc: pc)
            throw error
        }
    }

    /// Runs instruction `i` (already passed: `s.pc` is the next one) by its full definition:
    /// the instructions the loop leaves out, and the slow paths of those it has. Answers
    /// the value the dispatch loop returns, or nil to go on.
    @inline(never)
    private func slowPath(_ i: UnsafeMutablePointer<Instr>, _ s: inout VMState, _ base: Int) throws(Unwind) -> Value? {
        let f = s.f
        switch i.pointee.op {
        case .const:
            f[Int(i.pointee.a)] = s.code.constants[Int(i.pointee.b)]
        case .copy:
            f[Int(i.pointee.a)] = f[Int(i.pointee.b)]
        case .move:
            f[Int(i.pointee.a)] = take(f + Int(i.pointee.b))
        case .setNil:
            f[Int(i.pointee.a)] = .nil
        case .getGlobal:
            let ref = s.code.globals[Int(i.pointee.b)]
            guard let v = ref.pointer.pointee else { throw notDeclared(ref, at: s.code.ranges[Int(i.pointee.r)]) }
            f[Int(i.pointee.a)] = v
        case .defineGlobal:
            let ref = s.code.globals[Int(i.pointee.b)]
            ref.pointer.pointee = isTemp(i.pointee.a, s.code) ? take(f + Int(i.pointee.a)) : f[Int(i.pointee.a)]
        case .setGlobal:
            if i.pointee.d == 0, case .int(let y) = f[Int(i.pointee.a)] {
                let p = UnsafeMutableRawPointer(s.code.globals[Int(i.pointee.b)].pointer).assumingMemoryBound(to: Value.self)
                if case .int(let x) = p.pointee {
                    let (r, o) = x.addingReportingOverflow(y)
                    if !o { p.initialize(to: .int(r)); return nil }
                }
            }
            try setGlobal(i.pointee, f, s.code)
        case .getCell:
            if case .cell(let c) = f[Int(i.pointee.b)], let v = c.value {
                f[Int(i.pointee.a)] = v
            } else {
                guard case .string(let name) = s.code.constants[Int(i.pointee.c)] else { break }
                throw error("'\(name)' is used before its declaration has run", at: s.code.ranges[Int(i.pointee.r)], code: "NameError")
            }
        case .declareCell:
            let v = isTemp(i.pointee.b, s.code) ? take(f + Int(i.pointee.b)) : f[Int(i.pointee.b)]
            let slot = Int(i.pointee.a)
            if case .cell(let c) = f[slot], c.value == nil { c.value = v } else { f[slot] = .cell(Cell(v)) }
        case .evalExpr:
            let v = try s.code.exprs[Int(i.pointee.b)].eval(f, self)
            if i.pointee.a >= 0 { f[Int(i.pointee.a)] = v }
        case .execStmt:
            switch try s.code.stmts[Int(i.pointee.b)].exec(f, self) {
            case .normal: break
            case .breakLoop: s.pc = s.code.instructions + Int(i.pointee.c)
            case .continueLoop: s.pc = s.code.instructions + Int(i.pointee.d)
            case .returned:
                let v = returnValue
                returnValue = .nil
                if let done = leave(v, &s, base) { return done }
            }
        case .jump:
            s.pc = s.code.instructions + Int(i.pointee.a)
        case .jumpIfFalse, .jumpIfTrue:
            guard case .bool(let t) = f[Int(i.pointee.a)] else {
                throw conditionError(f[Int(i.pointee.a)], BoolUse(rawValue: i.pointee.c)?.text ?? "condition", s.code.ranges[Int(i.pointee.r)], self)
            }
            if t == (i.pointee.op == .jumpIfTrue) { s.pc = s.code.instructions + Int(i.pointee.b) }
        case .checkBool:
            guard case .bool = f[Int(i.pointee.a)] else {
                throw conditionError(f[Int(i.pointee.a)], BoolUse(rawValue: i.pointee.c)?.text ?? "condition", s.code.ranges[Int(i.pointee.r)], self)
            }
        case .jumpIfNotNil:
            if !f[Int(i.pointee.a)].isNil { s.pc = s.code.instructions + Int(i.pointee.b) }
        case .not:
            let v = f[Int(i.pointee.b)]
            guard case .bool(let x) = v else { throw conditionError(v, "the operand of 'not'", s.code.ranges[Int(i.pointee.r)], self) }
            f[Int(i.pointee.a)] = .bool(!x)
        case .negate:
            f[Int(i.pointee.a)] = try negate(f[Int(i.pointee.b)], s.code.ranges[Int(i.pointee.r)])
        case .add:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] {
                let (r, o) = x.addingReportingOverflow(y)
                if !o { f[Int(i.pointee.a)] = .int(r); return nil }
            }
            try slowBinary(.add, i.pointee, f, s.code)
        case .sub:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] {
                let (r, o) = x.subtractingReportingOverflow(y)
                if !o { f[Int(i.pointee.a)] = .int(r); return nil }
            }
            try slowBinary(.sub, i.pointee, f, s.code)
        case .lt:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x < y); return nil }
            try slowBinary(.lt, i.pointee, f, s.code)
        case .le:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x <= y); return nil }
            try slowBinary(.le, i.pointee, f, s.code)
        case .gt:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x > y); return nil }
            try slowBinary(.gt, i.pointee, f, s.code)
        case .ge:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x >= y); return nil }
            try slowBinary(.ge, i.pointee, f, s.code)
        case .eq:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x == y); return nil }
            try slowBinary(.eq, i.pointee, f, s.code)
        case .ne:
            if case .int(let x) = f[Int(i.pointee.b)], case .int(let y) = f[Int(i.pointee.c)] { f[Int(i.pointee.a)] = .bool(x != y); return nil }
            try slowBinary(.ne, i.pointee, f, s.code)
        case .binary:
            try slowBinary(BinaryOp(code: i.pointee.d), i.pointee, f, s.code)
        case .binaryK:
            if case .int(let x) = f[Int(i.pointee.b)] {
                let k = Int(i.pointee.c)
                switch i.pointee.d {
                case 0: let (r, o) = x.addingReportingOverflow(k); if !o { f[Int(i.pointee.a)] = .int(r); return nil }
                case 1: let (r, o) = x.subtractingReportingOverflow(k); if !o { f[Int(i.pointee.a)] = .int(r); return nil }
                case 5: f[Int(i.pointee.a)] = .bool(x == k); return nil
                case 6: f[Int(i.pointee.a)] = .bool(x != k); return nil
                case 7: f[Int(i.pointee.a)] = .bool(x < k); return nil
                case 8: f[Int(i.pointee.a)] = .bool(x <= k); return nil
                case 9: f[Int(i.pointee.a)] = .bool(x > k); return nil
                case 10: f[Int(i.pointee.a)] = .bool(x >= k); return nil
                default: break
                }
            }
            let v = try binary(BinaryOp(code: i.pointee.d), f[Int(i.pointee.b)], .int(Int(i.pointee.c)), s.code.ranges[Int(i.pointee.r)], self)
            release(i.pointee.b, f, s.code, keep: i.pointee.a)
            f[Int(i.pointee.a)] = v
        case .compareKJump:
            let holds: Bool
            if case .int(let x) = f[Int(i.pointee.a)] {
                holds = Self.compare(x, Int(i.pointee.b), i.pointee.d)
            } else {
                holds = try compareSlow(f[Int(i.pointee.a)], .int(Int(i.pointee.b)), i.pointee, s.code)
            }
            if !holds { s.pc = s.code.instructions + Int(i.pointee.c) }
        case .compareJump:
            let holds: Bool
            if case .int(let x) = f[Int(i.pointee.a)], case .int(let y) = f[Int(i.pointee.b)] {
                holds = Self.compare(x, y, i.pointee.d)
            } else {
                holds = try compareSlow(f[Int(i.pointee.a)], f[Int(i.pointee.b)], i.pointee, s.code)
                release(i.pointee.a, f, s.code, keep: -1)
                release(i.pointee.b, f, s.code, keep: -1)
            }
            if !holds { s.pc = s.code.instructions + Int(i.pointee.c) }
        case .compoundLocal:
            let slot = Int(i.pointee.a)
            if case .int(let x) = f[slot], case .int(let y) = f[Int(i.pointee.b)] {
                if i.pointee.d == 0 { let (r, o) = x.addingReportingOverflow(y); if !o { f[slot] = .int(r); return nil } }
                if i.pointee.d == 1 { let (r, o) = x.subtractingReportingOverflow(y); if !o { f[slot] = .int(r); return nil } }
            }
            let v = isTemp(i.pointee.b, s.code) ? take(f + Int(i.pointee.b)) : f[Int(i.pointee.b)]
            if i.pointee.d == 0, appendInPlace(f + slot, v) { return nil }
            try compound(BinaryOp(code: i.pointee.d), &f[slot], v, s.code.ranges[Int(i.pointee.r)], self)
        case .callGlobal:
            let ref = s.code.globals[Int(i.pointee.e)]
            let p = ref.pointer
            if let peeked = FunctionPeek.closure(p, tag: functionTag) {
                if try enterVM(peeked, keep: !ref.isConstant, i, &s) { return nil }
            } else if case .function(let clo)? = p.pointee {
                if try enterVM(.passUnretained(clo), keep: !ref.isConstant, i, &s) { return nil }
            }
            guard let callee = p.pointee else { throw notDeclared(ref, at: s.code.ranges[Int(i.pointee.b)]) }
            switch try callSlow(callee, i, &s, calleeRange: Int(i.pointee.b), labels: nil) {
            case .returned(let v): if i.pointee.a >= 0 { f[Int(i.pointee.a)] = v }
            case .entered: break
            case .suspended: return Value.nil
            }
        case .call:
            if case .function(let clo) = f[Int(i.pointee.b)], try enterVM(.passUnretained(clo), keep: true, i, &s) {
                release(i.pointee.b, f, s.code, keep: -1)
                return nil
            }
            let callee = f[Int(i.pointee.b)]
            release(i.pointee.b, f, s.code, keep: -1)
            switch try callSlow(callee, i, &s, calleeRange: Int(i.pointee.e), labels: nil) {
            case .returned(let v): if i.pointee.a >= 0 { f[Int(i.pointee.a)] = v }
            case .entered: break
            case .suspended: return Value.nil
            }
        case .callNamed:
            let callee = f[Int(i.pointee.b)]
            release(i.pointee.b, f, s.code, keep: -1)
            switch try callSlow(callee, i, &s, calleeRange: Int(i.pointee.e), labels: s.code.labels[Int(i.pointee.x)]) {
            case .returned(let v): if i.pointee.a >= 0 { f[Int(i.pointee.a)] = v }
            case .entered: break
            case .suspended: return Value.nil
            }
        case .callMethod:
            let recv = f[Int(i.pointee.b)]
            release(i.pointee.b, f, s.code, keep: -1)
            let values = takeArguments(i.pointee, f)
            guard case .string(let name) = s.code.constants[Int(i.pointee.x)] else { break }
            let labels = i.pointee.e >= 0 ? s.code.labels[Int(i.pointee.e)] : nil
            // A module's function (or one kept in a Map) runs in a VM frame like any other.
            if let clo = scriptFunction(recv, name) {
                try enterBound(clo, values, labels: labels, i, &s)
                return nil
            }
            let v = try callMethod(recv, name, values, labels: labels, at: s.code.ranges[Int(i.pointee.r)])
            if i.pointee.a >= 0 { f[Int(i.pointee.a)] = v }
        case .index:
            let v = try subscriptGet(f[Int(i.pointee.b)], f[Int(i.pointee.c)], s.code.ranges[Int(i.pointee.r)], self)
            release(i.pointee.b, f, s.code, keep: i.pointee.a)
            release(i.pointee.c, f, s.code, keep: i.pointee.a)
            f[Int(i.pointee.a)] = v
        case .field:
            guard case .string(let name) = s.code.constants[Int(i.pointee.x)] else { break }
            let v = try fieldGet(f[Int(i.pointee.b)], name, s.code.ranges[Int(i.pointee.r)], self)
            release(i.pointee.b, f, s.code, keep: i.pointee.a)
            f[Int(i.pointee.a)] = v
        case .makeList:
            f[Int(i.pointee.a)] = .list(takeArguments(i.pointee, f))
        case .checkKey:
            guard case .string = f[Int(i.pointee.a)] else {
                throw error("map keys must be Strings", at: s.code.ranges[Int(i.pointee.r)], code: "TypeError")
            }
        case .makeMap:
            let storage = MapStorage()
            let count = Int(i.pointee.d)
            storage.entries.reserveCapacity(count)
            let pairs = f + Int(i.pointee.c)
            for k in 0..<count {
                // `checkKey` made sure of the key.
                guard case .string(let key) = take(pairs + 2 * k) else { continue }
                storage.entries[key] = take(pairs + 2 * k + 1)
            }
            f[Int(i.pointee.a)] = .map(storage)
        case .assignFrom:
            let v = isTemp(i.pointee.a, s.code) ? take(f + Int(i.pointee.a)) : f[Int(i.pointee.a)]
            // The compiler emits this instruction for these two kinds of node only.
            if i.pointee.c == 1 {
                try unsafeDowncast(s.code.exprs[Int(i.pointee.b)], to: AppendStmt.self).append(v, f, self)
            } else {
                try unsafeDowncast(s.code.stmts[Int(i.pointee.b)], to: AssignStmt.self).assign(v, f, self)
            }
        case .makeRange:
            guard case .int(let lo) = f[Int(i.pointee.b)], case .int(let hi) = f[Int(i.pointee.c)] else {
                throw error("range bounds must be Ints, got \(f[Int(i.pointee.b)].typeName) and \(f[Int(i.pointee.c)].typeName)",
                            at: s.code.ranges[Int(i.pointee.r)], code: "TypeError")
            }
            f[Int(i.pointee.a)] = .range(RangeValue(lower: lo, upper: hi, closed: i.pointee.d == 1))
        case .appendText:
            // The text so far is usually held alone after the first part: appended in its box.
            if let text = StringPeek.uniqueString(f + Int(i.pointee.a), tag: stringTag) {
                guard let t = f[Int(i.pointee.b)].text(limit: maxStringBytes - text.pointee.utf8.count) else {
                    throw error("string would be too large", at: s.code.ranges[Int(i.pointee.r)], code: "MemoryError")
                }
                release(i.pointee.b, f, s.code, keep: i.pointee.a)
                text.pointee += t
                return nil
            }
            guard var text = f[Int(i.pointee.a)].takeString() else { break }
            guard let t = f[Int(i.pointee.b)].text(limit: maxStringBytes - text.utf8.count) else {
                throw error("string would be too large", at: s.code.ranges[Int(i.pointee.r)], code: "MemoryError")
            }
            release(i.pointee.b, f, s.code, keep: i.pointee.a)
            text += t
            f[Int(i.pointee.a)] = .string(text)
        case .tryBegin:
            handlers.append(TryHandler(frame: f, target: i.pointee.a, binding: i.pointee.b))
        case .tryEnd:
            handlers.removeLast()
        case .ret:
            let v = f[Int(i.pointee.a)]
            if let done = leave(v, &s, base) { return done }
        case .retNil:
            if let done = leave(.nil, &s, base) { return done }
        case .forPrep:
            try forPrep(i.pointee, f, s.code)
        case .forNext:
            // Falls through when the loop is over; otherwise binds, takes the turn's step
            // (the tree's order: bind, step, body) and jumps back to the body.
            if try !forNext(i.pointee, f, s.code) { return nil }
            stepsLeft &-= 1
            if stepsLeft < 0 { try nextSlice(at: s.code.ranges[Int(i.pointee.r)]) }
            s.pc = s.code.instructions + Int(i.pointee.e)
        case .step:
            stepsLeft &-= 1
            if stepsLeft < 0 { try nextSlice(at: s.code.ranges[Int(i.pointee.r)]) }
        case .echo:
            let v = f[Int(i.pointee.a)]
            if !v.isNil { output.write(v.repr + "\n") }
            f[Int(i.pointee.a)] = .nil
        case .appendLocal, .appendGlobal:
            // Always finished by the loop.
            break
        }
        return nil
    }

    /// Stores `v` in a register whose old value is destroyed only when it holds a reference
    /// (an assignment calls the enum's outlined destroy every time).
    @inline(__always) private static func put(_ v: Value, _ p: Frame) {
        if TrivialPeek.isTrivial(p) { p.initialize(to: v) } else { p.pointee = v }
    }

    @inline(__always) private static func compare(_ x: Int, _ y: Int, _ op: Op) -> Bool {
        switch op {
        case .lt: return x < y
        case .le: return x <= y
        case .gt: return x > y
        case .ge: return x >= y
        case .eq: return x == y
        default: return x != y
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
        // A declared global's `Value?` has the layout of its `Value`.
        if i.d == 0, appendInPlace(UnsafeMutableRawPointer(p).assumingMemoryBound(to: Value.self), v) { return }
        // Moved out, so `current` holds the only reference: strings and lists grow in place.
        var current = p.move() ?? .nil
        p.initialize(to: .nil)
        do {
            try compound(BinaryOp(code: i.d), &current, v, code.ranges[Int(i.r)], self)
        } catch {
            p.pointee = current
            throw error
        }
        p.pointee = current
    }

    /// `s += t` on a String held alone, in its box; false when not that case or when the
    /// result would pass the limit (then `compound` appends or raises the error).
    @inline(__always) private func appendInPlace(_ p: UnsafeMutablePointer<Value>, _ v: Value) -> Bool {
        guard case .string(let t) = v, let s = StringPeek.uniqueString(p, tag: stringTag),
              s.pointee.utf8.count + t.utf8.count <= maxStringBytes else { return false }
        s.pointee += t
        return true
    }

    /// `r` is read only for an error: reading a range retains its file.
    // `consuming`: the value moves into the list, without a copy and the destroy of the original.
    private func append(_ v: consuming Value, to slot: inout Value, _ r: @autoclosure () -> SourceRange) throws(Unwind) {
        guard case .list = slot, var items = slot.takeList() else {
            throw error("append() needs a List, got \(slot.typeName)", at: r(), code: "TypeError")
        }
        guard items.count < maxListCount else {
            slot = .list(items)
            throw error("list would be too large", at: r(), code: "MemoryError")
        }
        items.append(consume v)
        slot = .list(items)
    }

    /// Pushes the callee's frame, moves the arguments in and continues in the callee.
    @inline(__always)
    private func enterVM(_ function: Unmanaged<Closure>, keep: Bool, _ ip: UnsafeMutablePointer<Instr>, _ s: inout VMState) throws(Unwind) -> Bool {
        let code = s.code
        let i = ip.pointee
        let argc = Int(i.d)
        let found: CodeHeader? = function._withUnsafeGuaranteedRef { clo in clo.proto.arity == argc ? clo.proto.header : nil }
        guard let callee = found else { return false }
        stepsLeft &-= 1
        if stepsLeft < 0 { try nextSlice(at: code.ranges[Int(i.r)]) }
        let size = callee.frameSize
        let newF = sp
        guard depth < maxDepth, newF + size <= stackEnd else {
            throw error("call stack too deep (more than \(depth) nested calls)", at: code.ranges[Int(i.r)], code: "StackOverflow")
        }
        // Slots never used before are initialised; the others already hold values without a
        // reference (see `stackFilled`). The compiled code writes every slot before it reads
        // it, except a cell's, where anything but a cell reads as not yet declared.
        let end = newF + size
        if end > stackFilled {
            var p = stackFilled
            while p < end { p.initialize(to: .nil); p += 1 }
            stackFilled = end
        }
        assert((argc..<size).allSatisfy { newF[$0].isTrivial }, "a reused stack slot holds a reference")
        // The arguments move over, one by one: a frame has a few, and `moveInitialize` calls memmove.
        var from = s.f + Int(i.c), to = newF
        let last = newF + argc
        while to < last {
            to.initialize(to: from.move())
            from.initialize(to: .nil)
            to += 1
            from += 1
        }
        sp = end
        // Cannot overflow: bounded by `maxDepth`.
        depth &+= 1
        function._withUnsafeGuaranteedRef { clo in
            let p = clo.proto
            if p.needsSetup {
                for s in p.boxedParameters { newF[s] = .cell(Cell(newF[s])) }
                for (k, s) in p.captureSlots.enumerated() { newF[s] = .cell(clo.captures[k]) }
            }
        }
        calls.append(CallRecord(code: code, pc: s.pc, frame: s.f, keep: keep ? function.retain() : nil))
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
        let dst = (rec.pc - 1).pointee.a
        if dst >= 0 {
            Self.put(v, s.f + Int(dst))
        }
        return nil
    }

    /// How a call the dispatch loop did not make itself went on.
    private enum SlowCall {
        /// A built-in returned this.
        case returned(Value)
        /// A script function's frame is pushed: execution goes on in it.
        case entered
        /// A fiber parked at an async built-in.
        case suspended
    }

    /// A call the dispatch loop does not make itself: a built-in, named or defaulted
    /// arguments, a wrong count (which the binder reports) or a value that is not a function.
    private func callSlow(_ callee: Value, _ ip: UnsafeMutablePointer<Instr>, _ s: inout VMState, calleeRange: Int, labels: [String?]?) throws(Unwind) -> SlowCall {
        let i = ip.pointee
        let values = takeArguments(i, s.f)
        let range = s.code.ranges[Int(i.r)]
        switch callee {
        case .function(let clo):
            try enterBound(clo, values, labels: labels, ip, &s)
            return .entered
        case .builtin(let b):
            // A fiber's own wait: started, and the fiber parks until it ends.
            if case .async(let body) = b.body, let (scheduler, index) = fiber, runDepth == 1 {
                let args = try bindBuiltin(b, values, labels: labels, at: range)
                output.flush()
                scheduler.start(index, b, body, args, at: range, machine: self)
                waitingResult = i.a
                suspended = true
                return .suspended
            }
            return .returned(try callBuiltin(b, values, labels: labels, at: range))
        default:
            throw error("cannot call \(callee.typeNameWithArticle) value", at: s.code.ranges[calleeRange], code: "TypeError")
        }
    }

    /// The script function `recv.name` names, when it is one: a module's, or one kept in a
    /// Map under a name that is not a Map method. Anything else is `callMethod`'s.
    private func scriptFunction(_ recv: Value, _ name: String) -> Closure? {
        let fn: Value?
        switch recv {
        case .map(let ms) where !Methods.mapMethods.contains(name): fn = ms.entries[name]
        case .record(let r): fn = r.fields[name]
        default: fn = nil
        }
        if case .function(let clo)? = fn { return clo }
        return nil
    }

    /// Enters a script function called with named arguments, defaults or a count the binder
    /// must check, as `callClosure` does but in a VM frame: no native recursion. Its
    /// defaults run in the callee's frame, after its cells are set up (they may read
    /// captured variables and earlier parameters), natively; an error in one has the
    /// callee on its stack.
    private func enterBound(_ clo: Closure, _ values: [Value], labels: [String?]?, _ ip: UnsafeMutablePointer<Instr>, _ s: inout VMState) throws(Unwind) {
        let i = ip.pointee
        let range = s.code.ranges[Int(i.r)]
        let p = clo.proto
        let binding: Signature.Binding
        switch p.signature.bind(count: values.count, labels: labels) {
        case .success(let b): binding = b
        case .failure(let problem): throw error(p.signature.message(problem), at: range, code: "TypeError")
        }
        try step(at: range)
        let callee = p.header
        let size = callee.frameSize
        let newF = sp
        guard depth < maxDepth, newF + size <= stackEnd else {
            throw error("call stack too deep (more than \(depth) nested calls)", at: range, code: "StackOverflow")
        }
        let end = newF + size
        if end > stackFilled {
            var q = stackFilled
            while q < end { q.initialize(to: .nil); q += 1 }
            stackFilled = end
        }
        sp = end
        depth &+= 1
        var given = [Bool](repeating: false, count: p.arity)
        for (k, v) in values.enumerated() {
            guard let slot = binding[k] else { continue }
            newF[slot] = v
            given[slot] = true
        }
        do throws(Unwind) {
            for (k, c) in p.captureSlots.enumerated() { newF[c] = .cell(clo.captures[k]) }
            for b in p.boxedParameters where given[b] { newF[b] = .cell(Cell(newF[b])) }
            for k in 0..<p.arity where !given[k] {
                // The binder made sure every parameter without a default was given.
                guard let d = p.defaults[k] else { continue }
                let v = try d.eval(newF, self)
                newF[k] = p.boxedParameters.contains(k) ? .cell(Cell(v)) : v
            }
        } catch var unwind {
            popFrame(newF, size)
            unwind.leave(function: p.name, calledFrom: range)
            throw unwind
        }
        calls.append(CallRecord(code: s.code, pc: s.pc, frame: s.f, keep: Unmanaged.passRetained(clo)))
        s.code = callee
        s.f = newF
        s.pc = callee.instructions
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
            // The iterable's register says only whether the range is closed from here on. A
            // closed range becomes half-open unless its bound is the largest Int.
            let closed = r.closed && r.upper == .max
            f[bound] = .int(r.closed && !closed ? r.upper + 1 : r.upper)
            f[it] = .bool(closed)
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
