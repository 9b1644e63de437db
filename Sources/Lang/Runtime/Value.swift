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
    case string(String)
    /// Nanoseconds.
    case duration(Int)
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

    /// A map value from ordered pairs.
    public static func map(_ entries: OrderedDictionary<String, Value>) -> Value { .map(MapStorage(entries)) }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }
}

/// The storage of a map value; copied before a shared one is changed.
public final class MapStorage {
    public var entries: OrderedDictionary<String, Value>
    public init(_ entries: OrderedDictionary<String, Value> = [:]) { self.entries = entries }
}

/// A half-open (`a..b`) or closed (`a..=b`) integer range.
public final class RangeValue {
    public let lower: Int
    /// Exclusive upper bound as stored; for a closed range it is `upperInclusive + 1` where that fits.
    public let upper: Int
    public let closed: Bool

    public init(lower: Int, upper: Int, closed: Bool) {
        self.lower = lower
        self.upper = upper
        self.closed = closed
    }

    /// The number of integers in the range.
    public var count: Int {
        if closed { return upper < lower ? 0 : upper - lower + 1 }
        return upper <= lower ? 0 : upper - lower
    }

    public func element(_ i: Int) -> Int { lower + i }
}

/// A read-only record with a type name and ordered fields.
public final class Record {
    public let typeName: String
    public let fields: OrderedDictionary<String, Value>

    public init(typeName: String, fields: OrderedDictionary<String, Value>) {
        self.typeName = typeName
        self.fields = fields
    }
}

/// A captured variable. `nil` until its declaration has run.
public final class Cell {
    var value: Value?
    init(_ value: Value?) { self.value = value }
}

extension Value {
    /// Deep equality; Ints and Floats compare by numeric value.
    public static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.int(x), .float(y)): return Double(x) == y
        case let (.float(x), .int(y)): return x == Double(y)
        case let (.string(x), .string(y)): return x == y
        case let (.duration(x), .duration(y)): return x == y
        case let (.list(x), .list(y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count where !equal(x[i], y[i]) { return false }
            return true
        case let (.map(x), .map(y)):
            if x === y { return true }
            guard x.entries.count == y.entries.count else { return false }
            for (k, v) in x.entries {
                guard let w = y.entries[k], equal(v, w) else { return false }
            }
            return true
        case let (.range(x), .range(y)):
            return x.lower == y.lower && x.count == y.count
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x === y
        case let (.record(x), .record(y)):
            if x === y { return true }
            guard x.typeName == y.typeName, x.fields.count == y.fields.count else { return false }
            for (k, v) in x.fields {
                guard let w = y.fields[k], equal(v, w) else { return false }
            }
            return true
        default: return false
        }
    }
}
