import Foundation

/// A binary operator node; the Int fast path is inline, everything else goes through `binary`.
final class BinaryNode: ExprNode {
    let op: BinaryOp
    let left: ExprNode
    let right: ExprNode
    init(_ op: BinaryOp, _ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { self.op = op; left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        let b = try right.eval(f, m)
        return try binary(op, a, b, range, m)
    }
}

/// `+` and `-` with the Int case inline.
final class AddSubNode: ExprNode {
    let op: BinaryOp
    let left: ExprNode, right: ExprNode
    init(_ op: BinaryOp, _ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { self.op = op; left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        let b = try right.eval(f, m)
        if case .int(let x) = a, case .int(let y) = b {
            let (r, o) = op == .add ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y)
            if !o { return .int(r) }
        }
        return try binary(op, a, b, range, m)
    }
}

/// `<`, `<=`, `>`, `>=` with the Int case inline.
final class CompareNode: ExprNode {
    let op: BinaryOp
    let left: ExprNode
    let right: ExprNode
    init(_ op: BinaryOp, _ l: ExprNode, _ r: ExprNode, _ range: SourceRange) { self.op = op; left = l; right = r; super.init(range) }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let a = try left.eval(f, m)
        let b = try right.eval(f, m)
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .lt: return .bool(x < y)
            case .le: return .bool(x <= y)
            case .gt: return .bool(x > y)
            default: return .bool(x >= y)
            }
        }
        return try binary(op, a, b, range, m)
    }
}

/// Every binary operator on every pair of types, with the language's errors.
func binary(_ op: BinaryOp, _ a: Value, _ b: Value, _ range: SourceRange, _ m: Machine) throws(Unwind) -> Value {
    func overflow() -> Unwind { m.error("integer overflow in \(a.repr) \(op.rawValue) \(b.repr)", at: range, code: "OverflowError") }
    func mismatch() -> Unwind {
        var hint = ""
        if op == .add, case .string = a { hint = ": use str() or \"${...}\" to build strings" }
        if op == .add, case .string = b { hint = ": use str() or \"${...}\" to build strings" }
        return m.error("cannot apply '\(op.rawValue)' to \(a.typeName) and \(b.typeName)\(hint)", at: range, code: "TypeError")
    }
    func divZero() -> Unwind { m.error("division by zero", at: range, code: "ZeroDivisionError") }

    switch op {
    case .eq: return .bool(Value.equal(a, b))
    case .ne: return .bool(!Value.equal(a, b))
    case .lt, .le, .gt, .ge:
        guard let c = compare(a, b) else {
            throw m.error("cannot compare \(a.typeName) and \(b.typeName) with '\(op.rawValue)'", at: range, code: "TypeError")
        }
        switch op {
        case .lt: return .bool(c < 0)
        case .le: return .bool(c <= 0)
        case .gt: return .bool(c > 0)
        default: return .bool(c >= 0)
        }
    case .in:
        switch b {
        case .list(let items): return .bool(items.contains { Value.equal($0, a) })
        case .string(let s):
            guard case .string(let sub) = a else { throw m.error("'in' on a String needs a String on the left, got \(a.typeName)", at: range, code: "TypeError") }
            return .bool(sub.isEmpty || s.contains(sub))
        case .map(let ms):
            guard case .string(let k) = a else { return .bool(false) }
            return .bool(ms.entries[k] != nil)
        case .range(let r):
            guard case .int(let i) = a else { return .bool(false) }
            return .bool(i >= r.lower && (r.closed ? i <= r.upper : i < r.upper))
        default:
            throw m.error("cannot test membership in \(b.typeNameWithArticle)", at: range, code: "TypeError")
        }
    case .add:
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .int(r)
        case let (.string(x), .string(y)):
            guard x.utf8.count + y.utf8.count <= m.maxStringBytes else { throw m.error("string would be too large", at: range, code: "MemoryError") }
            return .string(x + y)
        case let (.list(x), .list(y)):
            guard x.count + y.count <= m.maxListCount else { throw m.error("list would be too large", at: range, code: "MemoryError") }
            return .list(x + y)
        case let (.map(x), .map(y)):
            let out = MapStorage(x.entries)
            for (k, v) in y.entries { out.entries[k] = v }
            return .map(out)
        case let (.duration(x), .duration(y)):
            let (r, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .duration(r)
        default:
            if let (x, y) = floats(a, b) { return .float(x + y) }
            throw mismatch()
        }
    case .sub:
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .int(r)
        case let (.duration(x), .duration(y)):
            let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .duration(r)
        default:
            if let (x, y) = floats(a, b) { return .float(x - y) }
            throw mismatch()
        }
    case .mul:
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow() }; return .int(r)
        case let (.duration(d), .int(k)), let (.int(k), .duration(d)):
            let (r, o) = d.multipliedReportingOverflow(by: k); if o { throw overflow() }; return .duration(r)
        case let (.duration(d), .float(k)), let (.float(k), .duration(d)):
            let r = Double(d) * k
            guard r.isFinite, abs(r) < 9.2e18 else { throw overflow() }
            return .duration(Int(r.rounded()))
        case let (.string(s), .int(k)), let (.int(k), .string(s)):
            guard k >= 0 else { throw m.error("cannot repeat a String a negative number of times", at: range, code: "ValueError") }
            if s.isEmpty || k == 0 { return .string("") }
            guard s.utf8.count.multipliedReportingOverflow(by: k).overflow == false, s.utf8.count * k <= m.maxStringBytes else {
                throw m.error("string would be too large", at: range, code: "MemoryError")
            }
            return .string(String(repeating: s, count: k))
        default:
            if let (x, y) = floats(a, b) { return .float(x * y) }
            throw mismatch()
        }
    case .div:
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw divZero() }
            let (r, o) = x.dividedReportingOverflow(by: y); if o { throw overflow() }; return .int(r)
        case let (.duration(d), .int(k)):
            if k == 0 { throw divZero() }
            let (r, o) = d.dividedReportingOverflow(by: k); if o { throw overflow() }; return .duration(r)
        case let (.duration(d), .float(k)):
            if k == 0 { throw divZero() }
            let r = Double(d) / k
            guard r.isFinite, abs(r) < 9.2e18 else { throw overflow() }
            return .duration(Int(r.rounded()))
        case let (.duration(x), .duration(y)):
            if y == 0 { throw divZero() }
            return .float(Double(x) / Double(y))
        default:
            if let (x, y) = floats(a, b) {
                if y == 0 { throw divZero() }
                return .float(x / y)
            }
            throw mismatch()
        }
    case .mod:
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw divZero() }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y); if o { throw overflow() }; return .int(r)
        case let (.duration(x), .duration(y)):
            if y == 0 { throw divZero() }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y); if o { throw overflow() }; return .duration(r)
        default:
            if let (x, y) = floats(a, b) {
                if y == 0 { throw divZero() }
                return .float(x.truncatingRemainder(dividingBy: y))
            }
            throw mismatch()
        }
    }
}


private func floats(_ a: Value, _ b: Value) -> (Double, Double)? {
    switch (a, b) {
    case let (.float(x), .float(y)): return (x, y)
    case let (.int(x), .float(y)): return (Double(x), y)
    case let (.float(x), .int(y)): return (x, Double(y))
    default: return nil
    }
}

/// -1, 0 or 1 for values that have an order; nil otherwise.
func compare(_ a: Value, _ b: Value) -> Int? {
    switch (a, b) {
    case let (.int(x), .int(y)): return x < y ? -1 : (x == y ? 0 : 1)
    case let (.string(x), .string(y)): return x < y ? -1 : (x == y ? 0 : 1)
    case let (.duration(x), .duration(y)): return x < y ? -1 : (x == y ? 0 : 1)
    default:
        if let (x, y) = floats(a, b) {
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        return nil
    }
}

/// `local op constant` for Int constants (`n < 2`, `n - 1`, `i == 0`): one node instead of
/// three, the commonest shapes in loops and recursion.
final class LocalConstNode: ExprNode {
    let slot: Int
    let op: BinaryOp
    let constant: Int
    init(_ slot: Int, _ op: BinaryOp, _ constant: Int, _ r: SourceRange) {
        self.slot = slot; self.op = op; self.constant = constant; super.init(r)
    }
    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        if case .int(let x) = f[slot] {
            switch op {
            case .add: let (r, o) = x.addingReportingOverflow(constant); if !o { return .int(r) }
            case .sub: let (r, o) = x.subtractingReportingOverflow(constant); if !o { return .int(r) }
            case .lt: return .bool(x < constant)
            case .le: return .bool(x <= constant)
            case .gt: return .bool(x > constant)
            case .ge: return .bool(x >= constant)
            case .eq: return .bool(x == constant)
            case .ne: return .bool(x != constant)
            default: break
            }
        }
        return try binary(op, f[slot], .int(constant), range, m)
    }
}
