/// A value's type as the checker knows it before a script runs.
///
/// `any` is "cannot be known" and is never an error: the checker reports only what is
/// certain to fail for every value a type stands for.
public indirect enum ScriptType: Sendable, Hashable, CustomStringConvertible {
    case any
    /// No value yet (a function whose return type is still being inferred). Joins to anything.
    case never
    case `nil`
    case bool, int, float, string, duration, range
    case list(ScriptType)
    /// A Map with String keys and values of this type.
    case map(ScriptType)
    /// A Map whose possible keys a schema declares (what `config()` or `overrides()` return).
    case shapedMap(String)
    /// A read-only record of a declared schema: `Task`, `TaskDefinition`, `Error`, ...
    case record(String)
    /// A Task whose final fields are not known yet: `run()` without `wait: true`.
    case pendingTask
    /// A function value; its signature when known.
    case function(FunctionType?)
    /// One of several types (never `any`, never nested, at least two members).
    case union([ScriptType])

    /// `T` or nil.
    public static func optional(_ t: ScriptType) -> ScriptType { t.join(.nil) }

    /// Int or Float.
    public static let number: ScriptType = .union([.int, .float])

    /// The record schema name of a task record.
    public static let task: ScriptType = .record("Task")

    public var description: String {
        switch self {
        case .any: return "any"
        case .never: return "never"
        case .nil: return "Nil"
        case .bool: return "Bool"
        case .int: return "Int"
        case .float: return "Float"
        case .string: return "String"
        case .duration: return "Duration"
        case .range: return "Range"
        case .list(let e): return e == .any ? "List" : "List[\(e)]"
        case .map(let v): return v == .any ? "Map" : "Map[\(v)]"
        case .shapedMap: return "Map"
        case .record(let name): return name
        case .pendingTask: return "Task"
        case .function: return "Function"
        case .union(let ms):
            if ms.count == 2, ms.contains(.nil), let other = ms.first(where: { $0 != .nil }) { return "\(other)?" }
            return ms.map(\.description).joined(separator: " | ")
        }
    }

    /// "an Int", "a TaskDefinition or a String": for messages.
    public var withArticle: String {
        switch self {
        case .any: return "any value"
        case .nil: return "nil"
        case .union(let ms): return ms.map(\.withArticle).joined(separator: " or ")
        default:
            let n = description
            return (n.first.map { "AEIOU".contains($0) } ?? false ? "an " : "a ") + n
        }
    }

    /// The members of a union, or the type itself.
    public var members: [ScriptType] {
        if case .union(let ms) = self { return ms }
        return [self]
    }

    /// The name `type()` gives values of this type, or nil when it varies.
    var runtimeName: String? {
        switch self {
        case .any, .never, .union: return nil
        case .pendingTask: return "Task"
        case .shapedMap: return "Map"
        case .function: return "Function"
        case .list: return "List"
        case .map: return "Map"
        default: return description
        }
    }

    /// A type that holds every value either type holds.
    public func join(_ other: ScriptType) -> ScriptType {
        if self == other { return self }
        switch (self, other) {
        case (.never, let t), (let t, .never): return t
        case (.any, _), (_, .any): return .any
        case (.list(let a), .list(let b)): return .list(a.join(b))
        case (.map(let a), .map(let b)): return .map(a.join(b))
        case (.shapedMap, .map), (.map, .shapedMap), (.shapedMap, .shapedMap): return .map(.any)
        case (.function, .function): return .function(nil)
        default: break
        }
        var out: [ScriptType] = []
        for m in members + other.members where !out.contains(m) {
            // Lists and maps of different element types fold into one member.
            if let i = out.firstIndex(where: { $0.sameKind(m) }) {
                out[i] = out[i].join(m)
            } else {
                out.append(m)
            }
        }
        // A union too wide to say anything useful.
        if out.count > 6 { return .any }
        return out.count == 1 ? out[0] : .union(out)
    }

    private func sameKind(_ o: ScriptType) -> Bool {
        switch (self, o) {
        case (.list, .list), (.map, .map), (.function, .function): return true
        case (.shapedMap, .map), (.map, .shapedMap): return true
        default: return false
        }
    }

    var isList: Bool { if case .list = self { return true } else { return false } }

    /// Whether nil is one of the values.
    public var admitsNil: Bool { self == .any || self == .never || members.contains(.nil) }

    /// The type without nil (what `x?.f` and `x ?? y` look through).
    public var nonNil: ScriptType {
        switch self {
        case .nil: return .never
        case .union(let ms):
            let rest = ms.filter { $0 != .nil }
            return rest.count == 1 ? rest[0] : .union(rest)
        default: return self
        }
    }

    /// True when a value of this type can be passed where `expected` is declared: false
    /// only when no value of `self` could be one of `expected`.
    public func mayBe(_ expected: ScriptType) -> Bool {
        if self == .any || self == .never || expected == .any || expected == .never { return true }
        // Member by member, without `members`' arrays: every call of a built-in with a
        // declared parameter type checks its argument here.
        if case .union(let ms) = self { return ms.contains { $0.mayBeMember(of: expected) } }
        return mayBeMember(of: expected)
    }

    /// Whether this type (not a union) may be one of `expected`'s members.
    private func mayBeMember(of expected: ScriptType) -> Bool {
        if case .union(let es) = expected { return es.contains { memberMayBe($0) } }
        return memberMayBe(expected)
    }

    private func memberMayBe(_ e: ScriptType) -> Bool {
        switch (self, e) {
        case (.any, _), (_, .any), (.never, _), (_, .never): return true
        case (.list(let a), .list(let b)): return a.mayBe(b)
        case (.map(let a), .map(let b)): return a.mayBe(b)
        case (.map, .shapedMap), (.shapedMap, .map), (.shapedMap, .shapedMap): return true
        case (.function, .function): return true
        case (.pendingTask, .record("Task")), (.record("Task"), .pendingTask): return true
        // An Int is accepted where a Float is.
        case (.int, .float): return true
        default: return self == e
        }
    }

    /// The element type of a List, the items of a Range, characters of a String.
    var elementType: ScriptType {
        switch self {
        case .list(let e): return e
        case .range: return .int
        case .string: return .string
        case .map: return .string
        case .union(let ms): return ms.map(\.elementType).reduce(.never) { $0.join($1) }
        default: return .any
        }
    }

    /// The type of a value the script holds now (for REPL entries that use earlier names).
    public init(of value: Value) {
        switch value {
        case .nil: self = .nil
        case .bool: self = .bool
        case .int: self = .int
        case .float: self = .float
        case .string: self = .string
        case .duration: self = .duration
        case .range: self = .range
        // Elements are not inspected: a long list would cost time for little.
        case .list: self = .list(.any)
        case .map: self = .map(.any)
        case .function, .builtin: self = .function(nil)
        case .record(let r): self = r.pendingFields.isEmpty ? .record(r.typeName) : .pendingTask
        case .cell(let c): self = c.value.map(ScriptType.init(of:)) ?? .any
        }
    }
}

/// The parameters and result of a function value, when known.
public struct FunctionType: Sendable, Hashable {
    public var parameters: [ScriptType]
    public var result: ScriptType

    public init(parameters: [ScriptType], result: ScriptType) {
        self.parameters = parameters
        self.result = result
    }
}
