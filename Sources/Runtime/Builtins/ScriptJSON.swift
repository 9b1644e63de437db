import Foundation
import Lang
import OrderedCollections

/// Script values and the runtime's JSON, each way, at the boundary where built-ins (and
/// the command line) hand values to the runtime and take its answers back.
extension JSONValue {
    /// A value as JSON, as `json()` writes it: a Duration becomes its text (`"1h30m"`), a
    /// record an object, a Range its List. A Function, a float that is not finite, and a
    /// value nested too deeply have no JSON form.
    public init(script v: Value) throws {
        self = try Self.convert(v, depth: 0)
    }

    private static func convert(_ v: Value, depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw ScriptError("json(): value is nested too deeply", code: "ValueError") }
        switch v {
        case .nil: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d):
            guard d.isFinite else { throw ScriptError("json(): \(v.repr) has no JSON form", code: "ValueError") }
            return .double(d)
        case .string(let s): return .string(s)
        case .duration(let ns): return .string(formatDuration(ns))
        case .range(let r):
            guard let n = r.count, n <= 10_000_000 else { throw ScriptError("json(): range is too large", code: "MemoryError") }
            return .array((0..<n).map { .int(r.element($0)) })
        case .list(let items): return .array(try items.map { try convert($0, depth: depth + 1) })
        case .map(let m): return .object(try m.entries.mapValues { try convert($0, depth: depth + 1) })
        case .record(let r): return .object(try r.fields.mapValues { try convert($0, depth: depth + 1) })
        case .function, .builtin: throw ScriptError("json(): a Function has no JSON form", code: "TypeError")
        case .cell:
            // A captured variable's box never reaches a built-in; its contents are private to Lang.
            return try convert(JSON.decode(JSON.encode(v)), depth: depth)
        }
    }

    /// An argument of `builtin` as JSON; what has no JSON form is a TypeError naming it.
    static func argument(_ v: Value, _ name: String, builtin: String) throws -> JSONValue {
        do {
            return try JSONValue(script: v)
        } catch {
            throw ScriptError("\(builtin)(): '\(name)' cannot be sent to ECS: \(error)", code: "TypeError")
        }
    }

    /// Named arguments as JSON, in their order.
    static func arguments(_ given: OrderedDictionary<String, Value>, builtin: String) throws -> OrderedDictionary<String, JSONValue> {
        var out = OrderedDictionary<String, JSONValue>()
        for (k, v) in given { out[k] = try argument(v, k, builtin: builtin) }
        return out
    }
}

extension Value {
    /// JSON as a script sees it: objects as Maps in their order, numbers as Int or Float.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .nil
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(Value.init(json:)))
        case .object(let members): self = .map(members.mapValues(Value.init(json:)))
        }
    }
}
