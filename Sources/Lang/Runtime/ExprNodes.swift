/// Executable expression nodes, produced by the resolver with every name already
/// turned into a slot or a global index.
class ExprNode {
    let range: SourceRange
    init(_ range: SourceRange) { self.range = range }
    func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value { .nil }
}

final class ConstNode: ExprNode {
    let value: Value
    init(_ value: Value, _ r: SourceRange) { self.value = value; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value { value }
}

final class LocalGet: ExprNode {
    let slot: Int
    init(_ slot: Int, _ r: SourceRange) { self.slot = slot; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value { f[slot] }
}

final class CellGet: ExprNode {
    let slot: Int
    let name: String
    init(_ slot: Int, _ name: String, _ r: SourceRange) { self.slot = slot; self.name = name; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        if case .cell(let c) = f[slot], let v = c.value { return v }
        throw m.error("'\(name)' is used before its declaration has run", at: range, code: "NameError")
    }
}

/// The top-level names of one module (script or import), by index. Values live in
/// manually managed memory so a read is one load, with no array bookkeeping.
final class GlobalStore {
    @exclusivity(unchecked) private var storage: UnsafeMutablePointer<Value?>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0
    /// Whether each name is a constant, beside the values: the VM reads it at every call of
    /// a global function (a constant keeps its function alive), and an array's bounds check
    /// was a few percent of a call.
    @exclusivity(unchecked) private var constantFlags: UnsafeMutablePointer<Bool>
    @exclusivity(unchecked) var names: [String] = []
    /// Where each name was declared (nil for names the host gives, such as `args`).
    @exclusivity(unchecked) var declarations: [SourceRange?] = []
    @exclusivity(unchecked) var index: [String: Int] = [:]

    init() {
        capacity = 64
        storage = .allocate(capacity: capacity)
        constantFlags = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
        constantFlags.deallocate()
    }

    @inline(__always) func isConstant(_ i: Int) -> Bool { constantFlags[i] }

    func setConstant(_ i: Int, _ isConst: Bool) { constantFlags[i] = isConst }

    /// Every name's constness, for undoing a rejected REPL entry.
    var constant: [Bool] {
        get { Array(UnsafeBufferPointer(start: constantFlags, count: count)) }
        set {
            precondition(newValue.count == count, "constness restored for another set of names")
            for (i, c) in newValue.enumerated() { constantFlags[i] = c }
        }
    }

    subscript(i: Int) -> Value? {
        @inline(__always) get { storage[i] }
        @inline(__always) set { storage[i] = newValue }
    }

    /// The address of a global, for in-place updates.
    @inline(__always) func pointer(_ i: Int) -> UnsafeMutablePointer<Value?> { storage + i }

    func add(_ name: String, constant isConst: Bool) -> Int {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Value?>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            let flags = UnsafeMutablePointer<Bool>.allocate(capacity: capacity * 2)
            flags.initialize(from: constantFlags, count: count)
            constantFlags.deallocate()
            constantFlags = flags
            capacity *= 2
        }
        (storage + count).initialize(to: nil)
        count += 1
        names.append(name)
        (constantFlags + count - 1).initialize(to: isConst)
        declarations.append(nil)
        index[name] = count - 1
        return count - 1
    }

    /// Forgets every value. A function stored here refers back to the store through its
    /// code, so the two keep each other alive until one lets go.
    func clearValues() {
        for i in 0..<count { storage[i] = nil }
    }

    func removeLast() {
        count -= 1
        (storage + count).deinitialize(count: 1)
        index[names.removeLast()] = nil
        declarations.removeLast()
    }
}

final class GlobalGet: ExprNode {
    let store: GlobalStore
    let index: Int
    init(_ store: GlobalStore, _ index: Int, _ r: SourceRange) { self.store = store; self.index = index; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        if let v = store[index] { return v }
        throw m.error("'\(store.names[index])' is used before its declaration has run", at: range, code: "NameError")
    }
}

/// The whole of a postfix chain with `?.`: nil when a `?.` met nil.
final class OptionalChainNode: ExprNode {
    let inner: ExprNode
    init(_ inner: ExprNode, _ r: SourceRange) { self.inner = inner; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        do { return try inner.eval(f, m) } catch .nilChain { return .nil }
    }
}

final class InterpolationNode: ExprNode {
    let parts: [ExprNode]
    init(_ parts: [ExprNode], _ r: SourceRange) { self.parts = parts; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        var s = ""
        for p in parts {
            guard let t = try p.eval(f, m).text(limit: m.maxStringBytes - s.utf8.count) else {
                throw m.error("string would be too large", at: range, code: "MemoryError")
            }
            s += t
        }
        return .string(s)
    }
}

final class ListNode: ExprNode {
    let items: [ExprNode]
    init(_ items: [ExprNode], _ r: SourceRange) { self.items = items; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for i in items { out.append(try i.eval(f, m)) }
        return .list(out)
    }
}

final class MapNode: ExprNode {
    let keys: [ExprNode]
    let values: [ExprNode]
    init(_ keys: [ExprNode], _ values: [ExprNode], _ r: SourceRange) { self.keys = keys; self.values = values; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let storage = MapStorage()
        storage.entries.reserveCapacity(keys.count)
        for i in 0..<keys.count {
            guard case .string(let k) = try keys[i].eval(f, m) else {
                throw m.error("map keys must be Strings", at: keys[i].range, code: "TypeError")
            }
            storage.entries[k] = try values[i].eval(f, m)
        }
        return .map(storage)
    }
}

final class NegateNode: ExprNode {
    let operand: ExprNode
    init(_ operand: ExprNode, _ r: SourceRange) { self.operand = operand; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        switch try operand.eval(f, m) {
        case .int(let i):
            guard i != .min else { throw m.error("integer overflow in -(\(i))", at: range, code: "OverflowError") }
            return .int(-i)
        case .float(let d): return .float(-d)
        case .duration(let d):
            guard d != .min else { throw m.error("duration overflow", at: range, code: "OverflowError") }
            return .duration(-d)
        case let v: throw m.error("cannot negate \(v.typeNameWithArticle)", at: range, code: "TypeError")
        }
    }
}

final class NotNode: ExprNode {
    let operand: ExprNode
    init(_ operand: ExprNode, _ r: SourceRange) { self.operand = operand; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let v = try operand.eval(f, m)
        guard case .bool(let b) = v else { throw conditionError(v, "the operand of 'not'", operand.range, m) }
        return .bool(!b)
    }
}

func conditionError(_ v: Value, _ what: String, _ r: SourceRange, _ m: Machine) -> Unwind {
    m.error("\(what) must be Bool, got \(v.typeName)", at: r, code: "TypeError")
}

final class AndNode: ExprNode {
    let left: ExprNode
    let right: ExprNode
    init(_ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        guard case .bool(let x) = a else { throw conditionError(a, "an operand of 'and'", left.range, m) }
        if !x { return .bool(false) }
        let b = try right.eval(f, m)
        guard case .bool = b else { throw conditionError(b, "an operand of 'and'", right.range, m) }
        return b
    }
}

final class OrNode: ExprNode {
    let left: ExprNode
    let right: ExprNode
    init(_ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        guard case .bool(let x) = a else { throw conditionError(a, "an operand of 'or'", left.range, m) }
        if x { return .bool(true) }
        let b = try right.eval(f, m)
        guard case .bool = b else { throw conditionError(b, "an operand of 'or'", right.range, m) }
        return b
    }
}

final class CoalesceNode: ExprNode {
    let left: ExprNode
    let right: ExprNode
    init(_ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        if case .nil = a { return try right.eval(f, m) }
        return a
    }
}

final class RangeNode: ExprNode {
    let lower: ExprNode
    let upper: ExprNode
    let closed: Bool
    init(_ l: ExprNode, _ u: ExprNode, closed: Bool, _ r: SourceRange) { lower = l; upper = u; self.closed = closed; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try lower.eval(f, m), b = try upper.eval(f, m)
        guard case .int(let lo) = a, case .int(let hi) = b else {
            throw m.error("range bounds must be Ints, got \(a.typeName) and \(b.typeName)", at: range, code: "TypeError")
        }
        return .range(RangeValue(lower: lo, upper: hi, closed: closed))
    }
}

final class IndexNode: ExprNode {
    let base: ExprNode
    let index: ExprNode
    init(_ b: ExprNode, _ i: ExprNode, _ r: SourceRange) { base = b; index = i; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let b = try base.eval(f, m)
        let i = try index.eval(f, m)
        return try subscriptGet(b, i, range, m)
    }
}

final class FieldNode: ExprNode {
    let base: ExprNode
    let name: String
    let optional: Bool
    init(_ b: ExprNode, _ name: String, optional: Bool, _ r: SourceRange) { base = b; self.name = name; self.optional = optional; super.init(r) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let b = try base.eval(f, m)
        if optional, case .nil = b { throw .nilChain }
        return try fieldGet(b, name, range, m)
    }
}

func subscriptGet(_ b: Value, _ i: Value, _ range: SourceRange, _ m: Machine) throws(Unwind) -> Value {
    switch (b, i) {
    case let (.list(items), .int(k)):
        let j = k < 0 ? items.count + k : k
        guard j >= 0, j < items.count else {
            throw m.error("index \(k) is out of range for a List of \(items.count) items", at: range, code: "IndexError")
        }
        return items[j]
    case let (.string(s), .int(k)):
        let n = s.count
        let j = k < 0 ? n + k : k
        guard j >= 0, j < n else {
            throw m.error("index \(k) is out of range for a String of \(n) characters", at: range, code: "IndexError")
        }
        return .string(String(s[s.index(s.startIndex, offsetBy: j)]))
    case let (.map(ms), .string(k)):
        guard let v = ms.entries[k] else {
            throw m.error("map has no key \(quote(k))\(keyHint(k, ms))", at: range, code: "KeyError")
        }
        return v
    case let (.range(r), .int(k)):
        // Wide arithmetic: a range may span more than Int.max numbers.
        let count = r.closed ? Int128(r.upper) - Int128(r.lower) + 1 : Int128(r.upper) - Int128(r.lower)
        let n = max(0, count)
        let j = k < 0 ? n + Int128(k) : Int128(k)
        guard j >= 0, j < n else {
            throw m.error("index \(k) is out of range for a Range of \(n) item\(n == 1 ? "" : "s")", at: range, code: "IndexError")
        }
        return .int(Int(Int128(r.lower) + j))
    case (.map, _):
        throw m.error("map keys are Strings, got \(i.typeName)", at: range, code: "TypeError")
    case (.list, _), (.string, _), (.range, _):
        throw m.error("\(b.typeName) index must be an Int, got \(i.typeName)", at: range, code: "TypeError")
    default:
        throw m.error("cannot index \(b.typeNameWithArticle)", at: range, code: "TypeError")
    }
}

func keyHint(_ k: String, _ ms: MapStorage) -> String {
    if let s = suggestion(for: k, among: ms.entries.keys) { return " (did you mean \(quote(s))?)" }
    return ""
}

func fieldGet(_ b: Value, _ name: String, _ range: SourceRange, _ m: Machine) throws(Unwind) -> Value {
    switch b {
    case .map(let ms):
        if let v = ms.entries[name] { return v }
        if Methods.isMethod(name, of: b) {
            throw m.error("'\(name)' is a Map method: call it as .\(name)(...)", at: range, code: "TypeError")
        }
        throw m.error("map has no key \(quote(name))\(keyHint(name, ms))", at: range, code: "KeyError")
    case .record(let r):
        if let v = r.fields[name] { return v }
        if let why = r.pendingFields[name] { throw m.error(why, at: range, code: "TaskNotStopped") }
        let hint = suggestion(for: name, among: Array(r.fields.keys) + r.pendingFields.keys).map { " (did you mean '\($0)'?)" } ?? ""
        throw m.error("\(r.typeName) has no field '\(name)'\(hint)", at: range, code: "AttributeError")
    // Each pattern needs the guard: a `where` binds only to the last pattern of a case.
    case .string where Methods.lengthWords.contains(name), .list where Methods.lengthWords.contains(name),
         .range where Methods.lengthWords.contains(name):
        throw m.error("\(b.typeName) has no field '\(name)': use len(x)", at: range, code: "AttributeError")
    case .nil:
        throw m.error("cannot read field '\(name)' of nil (use ?. to allow nil)", at: range, code: "TypeError")
    default:
        if Methods.isMethod(name, of: b) {
            throw m.error("'\(name)' is \(b.typeNameWithArticle) method: call it as .\(name)(...)", at: range, code: "TypeError")
        }
        throw m.error("\(b.typeName) has no field '\(name)'", at: range, code: "AttributeError")
    }
}
