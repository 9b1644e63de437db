/// How a statement ended: normally, or by `break`, `continue` or `return` (value in `Machine.returnValue`).
enum Flow { case normal, breakLoop, continueLoop, returned }

/// Executable statement nodes.
class StmtNode {
    let range: SourceRange
    init(_ range: SourceRange) { self.range = range }
    func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow { .normal }
}

@inline(__always)
func execBlock(_ body: [StmtNode], _ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
    for s in body {
        let flow = try s.exec(f, m)
        if flow != .normal { return flow }
    }
    return .normal
}

/// One node for a list of statements, so hot paths run a node instead of walking an array.
func sequence(_ list: [StmtNode], _ r: SourceRange) -> StmtNode {
    switch list.count {
    case 0: return EmptyStmt(r)
    case 1: return list[0]
    case 2: return Sequence2(list[0], list[1])
    default: return BlockStmt(list, r)
    }
}

final class EmptyStmt: StmtNode {}

/// Forgets the cells of a block's captured variables as the block starts again.
final class ClearSlots: StmtNode {
    let slots: [Int]
    init(_ slots: [Int], _ r: SourceRange) { self.slots = slots; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        for s in slots { f[s] = .nil }
        return .normal
    }
}

final class Sequence2: StmtNode {
    let first: StmtNode
    let second: StmtNode
    init(_ a: StmtNode, _ b: StmtNode) { first = a; second = b; super.init(a.range.to(b.range)) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let flow = try first.exec(f, m)
        if flow != .normal { return flow }
        return try second.exec(f, m)
    }
}

final class ExprStmt: StmtNode {
    let expr: ExprNode
    /// The REPL echoes the value of a top-level expression statement.
    let echo: Bool
    init(_ e: ExprNode, echo: Bool) { expr = e; self.echo = echo; super.init(e.range) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let v = try expr.eval(f, m)
        if echo, !v.isNil { m.output.write(v.repr + "\n") }
        return .normal
    }
}

/// Where a name's value lives.
enum Storage {
    case local(Int)
    case cell(Int)
    case global(GlobalStore, Int)
}

final class DeclareStmt: StmtNode {
    let storage: Storage
    let value: ExprNode
    init(_ s: Storage, _ v: ExprNode, _ r: SourceRange) { storage = s; value = v; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let v = try value.eval(f, m)
        switch storage {
        case .local(let s): f[s] = v
        case .cell(let s):
            // Fill a cell a closure captured ahead of this declaration; otherwise a fresh
            // cell, so each loop turn's closures keep their own variable.
            if case .cell(let c) = f[s], c.value == nil { c.value = v } else { f[s] = .cell(Cell(v)) }
        case .global(let store, let i): store[i] = v
        }
        return .normal
    }
}

/// A place that can be assigned: a variable, `a[i]` or `m.k`.
indirect enum LValue {
    case name(Storage, String)
    case index(LValue, ExprNode)
    case field(LValue, String)
}

/// Changes the value at `lv` in place (no copy of a uniquely held list, map or string).
func update(_ lv: LValue, _ f: Frame, _ m: Machine, _ range: SourceRange, mustExist: Bool,
            _ body: (inout Value) throws(Unwind) -> Void) throws(Unwind) {
    switch lv {
    case .name(let storage, let name):
        switch storage {
        case .local(let s): try body(&f[s])
        case .cell(let s):
            guard case .cell(let c) = f[s], c.value != nil else {
                throw m.error("'\(name)' is used before its declaration has run", at: range, code: "NameError")
            }
            var v = c.value ?? .nil
            c.value = .nil
            defer { c.value = v }
            try body(&v)
        case .global(let store, let i):
            guard var v = store[i] else {
                throw m.error("'\(name)' is used before its declaration has run", at: range, code: "NameError")
            }
            store[i] = .nil
            defer { store[i] = v }
            try body(&v)
        }
    case .index(let base, let indexNode):
        let key = try indexNode.eval(f, m)
        try update(base, f, m, range, mustExist: true) { (container: inout Value) throws(Unwind) in
            try updateElement(&container, key, m, indexNode.range, mustExist: mustExist, body)
        }
    case .field(let base, let name):
        try update(base, f, m, range, mustExist: true) { (container: inout Value) throws(Unwind) in
            switch container {
            case .map: try updateElement(&container, .string(name), m, range, mustExist: mustExist, body)
            case .record(let r): throw m.error("cannot change field '\(name)' of \(container.typeNameWithArticle): records are read-only", at: range, code: "TypeError")
            default: throw m.error("cannot set field '\(name)' on \(container.typeNameWithArticle)", at: range, code: "TypeError")
            }
        }
    }
}

private func updateElement(_ container: inout Value, _ key: Value, _ m: Machine, _ range: SourceRange, mustExist: Bool,
                           _ body: (inout Value) throws(Unwind) -> Void) throws(Unwind) {
    // Never `switch (container, key)`: the tuple would hold a second reference to the
    // container and every update would copy the whole List or Map.
    if case .list = container {
        guard case .int(let k) = key else {
            throw m.error("List index must be an Int, got \(key.typeName)", at: range, code: "TypeError")
        }
        guard var items = container.takeList() else { return }
        defer { container = .list(items) }
        let j = k < 0 ? items.count + k : k
        guard j >= 0, j < items.count else {
            throw m.error("index \(k) is out of range for a List of \(items.count) items", at: range, code: "IndexError")
        }
        try body(&items[j])
        return
    }
    if case .map = container {
        guard case .string(let k) = key else {
            throw m.error("map keys are Strings, got \(key.typeName)", at: range, code: "TypeError")
        }
        guard var ms = container.takeMap() else { return }
        defer { container = .map(ms) }
        if mustExist, ms.entries[k] == nil {
            throw m.error("map has no key \(quote(k))\(keyHint(k, ms))", at: range, code: "KeyError")
        }
        if !isKnownUniquelyReferenced(&ms) { ms = MapStorage(ms.entries) }
        var v = ms.entries[k] ?? .nil
        ms.entries[k] = .nil
        defer { ms.entries[k] = v }
        try body(&v)
        return
    }
    if case .string = container {
        throw m.error("Strings cannot be changed in place; build a new one", at: range, code: "TypeError")
    }
    throw m.error("cannot assign into \(container.typeNameWithArticle)", at: range, code: "TypeError")
}

extension Value {
    /// Moves the String out and leaves nil, so the caller holds the only reference and
    /// can append without copying.
    mutating func takeString() -> String? {
        guard case .string(let s) = self else { return nil }
        self = .nil
        return s
    }

    mutating func takeList() -> [Value]? {
        guard case .list(let l) = self else { return nil }
        self = .nil
        return l
    }

    mutating func takeMap() -> MapStorage? {
        guard case .map(let m) = self else { return nil }
        self = .nil
        return m
    }
}

final class AssignStmt: StmtNode {
    let target: LValue
    let op: BinaryOp?
    let value: ExprNode
    init(_ t: LValue, _ op: BinaryOp?, _ v: ExprNode, _ r: SourceRange) { target = t; self.op = op; value = v; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        try assign(value.eval(f, m), f, m)
        return .normal
    }

    /// Stores `v`, the value already evaluated, into the target.
    func assign(_ v: Value, _ f: Frame, _ m: Machine) throws(Unwind) {
        // Plain locals and globals have nodes of their own (SetLocal, CompoundLocal, SetGlobal).
        guard let op else {
            try update(target, f, m, range, mustExist: false) { (slot: inout Value) throws(Unwind) in slot = v }
            return
        }
        let r = range
        try update(target, f, m, range, mustExist: true) { (slot: inout Value) throws(Unwind) in
            try compound(op, &slot, v, r, m)
        }
    }
}

/// `x op= v`, appending in place when `x` is a String or List it holds alone.
func compound(_ op: BinaryOp, _ slot: inout Value, _ v: Value, _ r: SourceRange, _ m: Machine) throws(Unwind) {
    if op == .add {
        if case .string(let t) = v, case .string = slot, var s = slot.takeString() {
            guard s.utf8.count + t.utf8.count <= m.maxStringBytes else {
                slot = .string(s)
                throw m.error("string would be too large", at: r, code: "MemoryError")
            }
            s += t
            slot = .string(s)
            return
        }
        if case .list(let b) = v, case .list = slot, var a = slot.takeList() {
            guard a.count + b.count <= m.maxListCount else {
                slot = .list(a)
                throw m.error("list would be too large", at: r, code: "MemoryError")
            }
            a += b
            slot = .list(a)
            return
        }
    }
    slot = try binary(op, slot, v, r, m)
}

/// `xs.append(v)` on a variable: in place.
final class AppendStmt: ExprNode {
    let target: LValue
    let value: ExprNode
    init(_ t: LValue, _ v: ExprNode, _ r: SourceRange) { target = t; value = v; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        try append(value.eval(f, m), f, m)
        return .nil
    }

    /// Appends `v`, the value already evaluated, to the target's List.
    func append(_ v: Value, _ f: Frame, _ m: Machine) throws(Unwind) {
        let r = range
        try update(target, f, m, range, mustExist: true) { (slot: inout Value) throws(Unwind) in
            guard case .list = slot, var items = slot.takeList() else {
                throw m.error("append() needs a List, got \(slot.typeName)", at: r, code: "TypeError")
            }
            guard items.count < m.maxListCount else {
                slot = .list(items)
                throw m.error("list would be too large", at: r, code: "MemoryError")
            }
            items.append(v)
            slot = .list(items)
        }
    }
}

final class IfStmt: StmtNode {
    let cond: ExprNode
    let then: StmtNode
    let otherwise: StmtNode
    init(_ c: ExprNode, _ t: [StmtNode], _ e: [StmtNode], _ r: SourceRange) {
        cond = c
        then = sequence(t, r)
        otherwise = sequence(e, r)
        super.init(r)
    }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let c = try cond.eval(f, m)
        guard case .bool(let b) = c else { throw conditionError(c, "condition", cond.range, m) }
        return b ? try then.exec(f, m) : try otherwise.exec(f, m)
    }
}

final class WhileStmt: StmtNode {
    let cond: ExprNode
    let body: StmtNode
    init(_ c: ExprNode, _ b: [StmtNode], _ r: SourceRange) { cond = c; body = sequence(b, r); super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        while true {
            let c = try cond.eval(f, m)
            guard case .bool(let b) = c else { throw conditionError(c, "condition", cond.range, m) }
            if !b { return .normal }
            try m.step(at: range)
            switch try body.exec(f, m) {
            case .breakLoop: return .normal
            case .returned: return .returned
            default: continue
            }
        }
    }
}

final class ForStmt: StmtNode {
    let first: Storage
    let second: Storage?
    let iterable: ExprNode
    let body: StmtNode
    init(_ a: Storage, _ b: Storage?, _ it: ExprNode, _ body: [StmtNode], _ r: SourceRange) {
        first = a; second = b; iterable = it; self.body = sequence(body, r); super.init(r)
    }

    @inline(__always) private func bind(_ s: Storage, _ v: Value, _ f: Frame) {
        switch s {
        case .local(let k): f[k] = v
        case .cell(let k): f[k] = .cell(Cell(v))
        case .global(let store, let i): store[i] = v
        }
    }

    /// Runs the body once; false when the loop must end (break or return).
    @inline(__always) private func turn(_ f: Frame, _ m: Machine, _ flow: inout Flow) throws(Unwind) -> Bool {
        try m.step(at: range)
        switch try body.exec(f, m) {
        case .breakLoop: flow = .normal; return false
        case .returned: flow = .returned; return false
        default: return true
        }
    }

    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        var flow = Flow.normal
        let it = try iterable.eval(f, m)
        switch it {
        case .range(let r):
            if second != nil { throw m.error("a Range gives one value per turn: use 'for x in range'", at: iterable.range, code: "TypeError") }
            var i = r.lower
            let end = r.upper
            if r.closed {
                while i <= end {
                    bind(first, .int(i), f)
                    if try !turn(f, m, &flow) { return flow }
                    if i == .max { break }
                    i += 1
                }
            } else {
                while i < end {
                    bind(first, .int(i), f)
                    if try !turn(f, m, &flow) { return flow }
                    i += 1
                }
            }
        case .list(let items):
            for (k, v) in items.enumerated() {
                if let second { bind(first, .int(k), f); bind(second, v, f) } else { bind(first, v, f) }
                if try !turn(f, m, &flow) { return flow }
            }
        case .map(let ms):
            let entries = ms.entries
            for (k, v) in entries {
                if let second { bind(first, .string(k), f); bind(second, v, f) } else { bind(first, .string(k), f) }
                if try !turn(f, m, &flow) { return flow }
            }
        case .string(let s):
            for (k, ch) in s.enumerated() {
                if let second { bind(first, .int(k), f); bind(second, .string(String(ch)), f) } else { bind(first, .string(String(ch)), f) }
                if try !turn(f, m, &flow) { return flow }
            }
        default:
            throw m.error("cannot loop over \(it.typeNameWithArticle): use a List, Map, Range or String", at: iterable.range, code: "TypeError")
        }
        return flow
    }
}

final class BreakStmt: StmtNode {
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow { .breakLoop }
}

final class ContinueStmt: StmtNode {
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow { .continueLoop }
}

final class ReturnStmt: StmtNode {
    let value: ExprNode?
    init(_ v: ExprNode?, _ r: SourceRange) { value = v; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        m.returnValue = try value?.eval(f, m) ?? .nil
        return .returned
    }
}

final class BlockStmt: StmtNode {
    let body: [StmtNode]
    init(_ b: [StmtNode], _ r: SourceRange) { body = b; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow { try execBlock(body, f, m) }
}

final class TryStmt: StmtNode {
    let body: [StmtNode]
    let errorSlot: Storage?
    let handler: [StmtNode]
    init(_ b: [StmtNode], _ slot: Storage?, _ h: [StmtNode], _ r: SourceRange) { body = b; errorSlot = slot; handler = h; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let depth = m.depth
        let sp = m.sp
        do {
            return try execBlock(body, f, m)
        } catch .error(let e) {
            // Frames above ours were already popped by their defers; this is a safety net.
            precondition(m.depth == depth && m.sp == sp, "interpreter stack out of balance")
            if let errorSlot {
                switch errorSlot {
                case .local(let k): f[k] = e.record
                case .cell(let k): f[k] = .cell(Cell(e.record))
                case .global(let store, let i): store[i] = e.record
                }
            }
            return try execBlock(handler, f, m)
        }
    }
}

/// `x = v` on a local: the common case without the general place machinery.
final class SetLocal: StmtNode {
    let slot: Int
    let value: ExprNode
    init(_ slot: Int, _ v: ExprNode, _ r: SourceRange) { self.slot = slot; value = v; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        f[slot] = try value.eval(f, m)
        return .normal
    }
}

/// `x op= v` on a local, in place.
final class CompoundLocal: StmtNode {
    let slot: Int
    let op: BinaryOp
    let value: ExprNode
    init(_ slot: Int, _ op: BinaryOp, _ v: ExprNode, _ r: SourceRange) { self.slot = slot; self.op = op; value = v; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let v = try value.eval(f, m)
        if case .int(let x) = f[slot], case .int(let y) = v {
            if op == .add { let (r, o) = x.addingReportingOverflow(y); if !o { f[slot] = .int(r); return .normal } }
            if op == .sub { let (r, o) = x.subtractingReportingOverflow(y); if !o { f[slot] = .int(r); return .normal } }
        }
        try compound(op, &f[slot], v, range, m)
        return .normal
    }
}

/// `x = v` and `x op= v` on a module-level variable.
final class SetGlobal: StmtNode {
    let store: GlobalStore
    let index: Int
    let op: BinaryOp?
    let value: ExprNode
    init(_ store: GlobalStore, _ index: Int, _ op: BinaryOp?, _ v: ExprNode, _ r: SourceRange) {
        self.store = store; self.index = index; self.op = op; value = v; super.init(r)
    }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let v = try value.eval(f, m)
        let p = store.pointer(index)
        guard var current = p.pointee else {
            throw m.error("'\(store.names[index])' is used before its declaration has run", at: range, code: "NameError")
        }
        guard let op else { p.pointee = v; return .normal }
        if case .int(let x) = current, case .int(let y) = v, op == .add {
            let (r, o) = x.addingReportingOverflow(y)
            if !o { p.pointee = .int(r); return .normal }
        }
        p.pointee = .nil // let `current` hold the only reference, so strings and lists grow in place
        do {
            try compound(op, &current, v, range, m)
        } catch {
            p.pointee = current
            throw error
        }
        p.pointee = current
        return .normal
    }
}
