/// One method of a built-in type: its signature, what it returns for a receiver (and,
/// for `map`, the function argument's result), and its `help` text.
public struct Method: Sendable {
    public let signature: Signature
    public let doc: String
    /// The result for a receiver type and the types of the positional arguments.
    let result: @Sendable (_ receiver: ScriptType, _ arguments: [ScriptType]) -> ScriptType
    /// For methods taking a function of the items (`map`, `filter`, ...): what that
    /// function's parameter is, given the receiver.
    let callbackParameter: (@Sendable (ScriptType) -> ScriptType)?

    public var name: String { signature.name }

    init(_ name: String, _ parameters: [BuiltinParameter] = [], doc: String,
         callback: (@Sendable (ScriptType) -> ScriptType)? = nil,
         result: @escaping @Sendable (ScriptType, [ScriptType]) -> ScriptType) {
        signature = Signature(name: name, parameters: parameters)
        self.doc = doc
        self.callbackParameter = callback
        self.result = result
    }
}

/// The methods of Strings, Lists (and Ranges), Maps and Durations. The checker, the
/// REPL's completion and `help` read this table; `Methods` runs them.
public enum MethodTable {
    private static let fn = ScriptType.function(nil)
    private static func fixed(_ t: ScriptType) -> @Sendable (ScriptType, [ScriptType]) -> ScriptType { { _, _ in t } }
    private static let items: @Sendable (ScriptType) -> ScriptType = { $0.elementType }
    private static let sameList: @Sendable (ScriptType, [ScriptType]) -> ScriptType = { r, _ in .list(r.elementType) }

    public static let list: [Method] = [
        Method("append", [.init("item")], doc: "Adds an item at the end; only on a var (the one method that changes its receiver).", result: fixed(.nil)),
        Method("map", [.init("function", type: fn)], doc: "A new List of function(item) for each item.", callback: items) { _, args in
            if case .function(let f?)? = args.first { return .list(f.result) }
            return .list(.any)
        },
        Method("filter", [.init("function", type: fn)], doc: "A new List of the items for which function(item) is true.", callback: items, result: sameList),
        Method("all", [.init("function", type: fn)], doc: "True when function(item) is true for every item.", callback: items, result: fixed(.bool)),
        Method("any", [.init("function", type: fn)], doc: "True when function(item) is true for some item.", callback: items, result: fixed(.bool)),
        Method("contains", [.init("item")], doc: "True when an item equals the value.", result: fixed(.bool)),
        Method("join", [.init("separator", default: .string(""), type: .string)], doc: "The items' text joined by the separator.", result: fixed(.string)),
        Method("sort", [.optional("key", type: fn), .init("reverse", .named, default: .bool(false), type: .bool)],
               doc: "A new List in order (by key(item) when given); the receiver is unchanged.", callback: items, result: sameList),
        Method("reversed", doc: "A new List in reverse order.", result: sameList),
        Method("count", doc: "The number of items.", result: fixed(.int)),
    ]

    public static let string: [Method] = [
        Method("split", [.optional("separator", type: .string)], doc: "The parts between separators (white space when none is given).", result: fixed(.list(.string))),
        Method("trim", doc: "Without white space at either end.", result: fixed(.string)),
        Method("upper", doc: "In upper case.", result: fixed(.string)),
        Method("lower", doc: "In lower case.", result: fixed(.string)),
        Method("startsWith", [.init("prefix", type: .string)], doc: "True when the String starts with the prefix.", result: fixed(.bool)),
        Method("endsWith", [.init("suffix", type: .string)], doc: "True when the String ends with the suffix.", result: fixed(.bool)),
        Method("replace", [.init("old", type: .string), .init("new", type: .string)], doc: "Every occurrence of old replaced by new.", result: fixed(.string)),
        Method("contains", [.init("text", type: .string)], doc: "True when the text occurs in the String.", result: fixed(.bool)),
        Method("count", doc: "The number of characters.", result: fixed(.int)),
    ]

    public static let map: [Method] = [
        Method("keys", doc: "The keys, in insertion order.", result: fixed(.list(.string))),
        Method("values", doc: "The values, in insertion order.") { r, _ in
            if case .map(let v) = r { return .list(v) }
            return .list(.any)
        },
        Method("get", [.init("key", type: .string), .optional("default")], doc: "The value under key, or default (nil) when there is none.") { r, args in
            let value: ScriptType = if case .map(let v) = r { v } else { .any }
            return value.join(args.count > 1 ? args[1] : .nil)
        },
        Method("has", [.init("key", type: .string)], doc: "True when the key is present.", result: fixed(.bool)),
        Method("count", doc: "The number of keys.", result: fixed(.int)),
    ]

    /// Durations have no methods: they compute with operators and `int`/`float`/`str`.
    public static let duration: [Method] = []

    /// The methods of values of a type; nil where the type has no fixed table (a Map
    /// may also call functions stored under any key, `any` may be anything).
    public static func methods(of t: ScriptType) -> [Method]? {
        switch t {
        case .list, .range: return list
        case .string: return string
        case .duration: return duration
        case .bool, .int, .float, .nil: return []
        default: return nil
        }
    }

    /// The method of this name on a type, when the type's table is fixed.
    static func lookup(_ name: String, on t: ScriptType) -> Method? {
        if case .map = t { return map.first { $0.name == name } }
        if case .shapedMap = t { return map.first { $0.name == name } }
        return methods(of: t)?.first { $0.name == name }
    }
}
