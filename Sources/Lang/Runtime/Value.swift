import OrderedCollections

/// A script value. Lists and maps have value semantics: copying a Value never shares
/// mutations (lists through Swift's copy-on-write arrays, maps through `MapStorage`).
///
/// Sendable because an interpreter and the host built-ins it awaits never touch the same
/// value at once: the interpreter thread is parked while an async built-in runs.
public enum Value: @unchecked Sendable {
    case `nil`
    case bool(Bool)
    case int(Int)
    case float(Double)
    /// Nanoseconds.
    case duration(Int)
    /// Boxed, so that a value is two words (the payload and the tag) instead of three.
    indirect case string(String)
    case list([Value])
    case map(MapStorage)
    case range(RangeValue)
    case function(Closure)
    case builtin(Builtin)
    /// Task, TaskDefinition, Error, Module: read-only records with named fields.
    case record(Record)
    /// The box of a variable captured by a closure. Lives only in interpreter frames;
    /// hosts never receive one.
    case cell(Cell)

    /// The name `type()` returns.
    public var typeName: String {
        switch self {
        case .nil: return "Nil"
        case .bool: return "Bool"
        case .int: return "Int"
        case .float: return "Float"
        case .string: return "String"
        case .duration: return "Duration"
        case .list: return "List"
        case .map: return "Map"
        case .range: return "Range"
        case .function, .builtin: return "Function"
        case .record(let r): return r.typeName
        case .cell(let c): return c.value?.typeName ?? "Nil"
        }
    }

    /// "an Int", "a String": for messages.
    public var typeNameWithArticle: String {
        let n = typeName
        return (n.first.map { "AEIOU".contains($0) } ?? false ? "an " : "a ") + n
    }

    /// A map value from ordered pairs.
    public static func map(_ entries: OrderedDictionary<String, Value>) -> Value { .map(MapStorage(entries)) }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// True for values that hold no reference (nil, Bool, Int, Float, Duration): they may be
    /// overwritten or dropped without a destructor.
    @inline(__always) var isTrivial: Bool {
        switch self {
        case .nil, .bool, .int, .float, .duration: return true
        default: return false
        }
    }
}

/// The storage of a map value; copied before a shared one is changed.
public final class MapStorage {
    @exclusivity(unchecked) public var entries: OrderedDictionary<String, Value>
    public init(_ entries: OrderedDictionary<String, Value> = [:]) { self.entries = entries }
}

/// A half-open (`a..b`) or closed (`a..=b`) integer range.
public final class RangeValue {
    public let lower: Int
    /// The upper bound: left out of a half-open range, included in a closed one.
    public let upper: Int
    public let closed: Bool

    public init(lower: Int, upper: Int, closed: Bool) {
        self.lower = lower
        self.upper = upper
        self.closed = closed
    }

    /// The number of integers in the range; nil when that does not fit in an Int
    /// (as for `0..=9223372036854775807`).
    public var count: Int? {
        if closed ? upper < lower : upper <= lower { return 0 }
        let (d, o) = upper.subtractingReportingOverflow(lower)
        if o { return nil }
        if closed { let (c, o2) = d.addingReportingOverflow(1); return o2 ? nil : c }
        return d
    }

    public func element(_ i: Int) -> Int { lower + i }
}

/// A read-only record with a type name and ordered fields.
public final class Record {
    public let typeName: String
    public let fields: OrderedDictionary<String, Value>
    /// Fields whose value is not known yet, with what reading one says instead of
    /// answering (a task's `.ok` before it stopped): never a silent nil or false.
    public let pendingFields: [String: String]

    public init(typeName: String, fields: OrderedDictionary<String, Value>, pendingFields: [String: String] = [:]) {
        self.typeName = typeName
        self.fields = fields
        self.pendingFields = pendingFields
    }
}

/// A captured variable. `nil` until its declaration has run.
public final class Cell {
    @exclusivity(unchecked) var value: Value?
    init(_ value: Value?) { self.value = value }
}

extension Value {
    /// Deep equality; Ints and Floats compare by numeric value. Iterative, so values
    /// nested a million deep compare without exhausting the stack.
    public static func equal(_ a: Value, _ b: Value) -> Bool {
        var work: [(Value, Value)] = [(a, b)]
        // Past a few thousand pairs, each pair of lists is compared once: values that
        // share their parts (`a = [a, a]`, forty times) are small in memory but
        // exponential as trees. Skipping a pair seen before is sound, since an unequal
        // pair ends the comparison wherever it is met.
        var pairs = 0
        var seen: Set<ListPair> = []
        while let (x, y) = work.popLast() {
            pairs += 1
            switch (x, y) {
            case (.nil, .nil): continue
            case let (.bool(p), .bool(q)): if p != q { return false }
            case let (.int(p), .int(q)): if p != q { return false }
            case let (.float(p), .float(q)): if p != q { return false }
            case let (.int(p), .float(q)): if Double(p) != q { return false }
            case let (.float(p), .int(q)): if p != Double(q) { return false }
            case let (.string(p), .string(q)): if p != q { return false }
            case let (.duration(p), .duration(q)): if p != q { return false }
            case let (.list(p), .list(q)):
                guard p.count == q.count else { return false }
                if pairs > 4096, !seen.insert(ListPair(p, q)).inserted { continue }
                for i in 0..<p.count { work.append((p[i], q[i])) }
            case let (.map(p), .map(q)):
                if p === q { continue }
                guard p.entries.count == q.entries.count else { return false }
                for (k, v) in p.entries {
                    guard let w = q.entries[k] else { return false }
                    work.append((v, w))
                }
            case let (.range(p), .range(q)):
                if !(p.count == q.count && (p.count == 0 || p.lower == q.lower)) { return false }
            case let (.function(p), .function(q)): if p !== q { return false }
            case let (.builtin(p), .builtin(q)): if p !== q { return false }
            case let (.record(p), .record(q)):
                if p === q { continue }
                guard p.typeName == q.typeName, p.fields.count == q.fields.count else { return false }
                for (k, v) in p.fields {
                    guard let w = q.fields[k] else { return false }
                    work.append((v, w))
                }
            default: return false
            }
        }
        return true
    }
}

/// Two lists by the identity of their storage, while both are alive.
private struct ListPair: Hashable {
    let left: UnsafeRawPointer?
    let right: UnsafeRawPointer?
    init(_ a: [Value], _ b: [Value]) {
        left = a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        right = b.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
}
