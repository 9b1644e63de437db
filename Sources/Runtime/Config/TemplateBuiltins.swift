import Foundation

/// The functions every ecspresso template has: text/template's own (`eq`, `and`, `printf`, ...)
/// and kayac/go-config's (`env`, `must_env`, `json_escape`).
enum TemplateBuiltins {
    static func all(environment: [String: String]) -> [String: TemplateFunction] {
        var f = goFunctions
        f["env"] = TemplateFunction { args in
            // go-config: each name is tried in turn; an unset one leaves its own name as the
            // value, so the last argument is both a name and the default.
            var value = ""
            for (i, a) in args.enumerated() {
                let key = try string(a, "env", index: i)
                value = environment[key] ?? ""
                if !value.isEmpty { return .string(value) }
                value = key
            }
            return .string(value)
        }
        f["must_env"] = TemplateFunction { args in
            try arity(args, 1, "must_env")
            let key = try string(args[0], "must_env", index: 0)
            guard let v = environment[key] else {
                throw TemplateFunctionError("environment variable \(key) is not defined: set it, or use {{ env \"\(key)\" \"default\" }}")
            }
            return .string(v)
        }
        f["json_escape"] = TemplateFunction { args in
            try arity(args, 1, "json_escape")
            return .string(Template.jsonEscape(try string(args[0], "json_escape", index: 0)))
        }
        return f
    }

    static func arity(_ args: [TemplateValue], _ n: Int, _ name: String) throws {
        guard args.count == n else { throw TemplateFunctionError("wrong number of args for \(name): want \(n) got \(args.count)") }
    }

    /// A `string` parameter (argument `index`): Go refuses anything else.
    static func string(_ v: TemplateValue, _ name: String, index: Int? = nil) throws -> String {
        if case .string(let s) = v { return s }
        throw TemplateFunctionError("expected string; found \(v.printed)", argument: index)
    }

    static let goFunctions: [String: TemplateFunction] = [
        "and": TemplateFunction(lazy: { thunks in
            var last = TemplateValue.missing
            for t in thunks {
                last = try t()
                if !last.isTrue { return last }
            }
            return last
        }),
        "or": TemplateFunction(lazy: { thunks in
            var last = TemplateValue.missing
            for t in thunks {
                last = try t()
                if last.isTrue { return last }
            }
            return last
        }),
        "not": TemplateFunction { args in
            try arity(args, 1, "not")
            return .bool(!args[0].isTrue)
        },
        "eq": TemplateFunction { args in
            guard let first = args.first, args.count >= 2 else { throw TemplateFunctionError("missing argument for comparison") }
            for other in args.dropFirst() {
                if try compare(first, other) == 0 { return .bool(true) }
            }
            return .bool(false)
        },
        "ne": TemplateFunction { args in
            try arity(args, 2, "ne")
            return .bool(try compare(args[0], args[1]) != 0)
        },
        "lt": TemplateFunction { args in try ordered(args, "lt") { $0 < 0 } },
        "le": TemplateFunction { args in try ordered(args, "le") { $0 <= 0 } },
        "gt": TemplateFunction { args in try ordered(args, "gt") { $0 > 0 } },
        "ge": TemplateFunction { args in try ordered(args, "ge") { $0 >= 0 } },
        "len": TemplateFunction { args in
            try arity(args, 1, "len")
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.count)
            default: throw TemplateFunctionError("len of type \(args[0].typeName)")
            }
        },
        "index": TemplateFunction { args in
            guard var v = args.first else { throw TemplateFunctionError("wrong number of args for index: want at least 1 got 0") }
            for key in args.dropFirst() {
                switch (v, key) {
                case (.list(let l), .int(let i)):
                    guard i >= 0, i < l.count else { throw TemplateFunctionError("error calling index: index out of range: \(i)") }
                    v = l[i]
                case (.string(let s), .int(let i)):
                    let bytes = Array(s.utf8)
                    guard i >= 0, i < bytes.count else { throw TemplateFunctionError("error calling index: index out of range: \(i)") }
                    v = .int(Int(bytes[i]))
                case (.map(let m), .string(let k)):
                    v = m[k] ?? .missing
                case (.missing, _), (.null, _):
                    throw TemplateFunctionError("index of untyped nil")
                default:
                    throw TemplateFunctionError("can't index item of type \(v.typeName)")
                }
            }
            return v
        },
        "print": TemplateFunction { args in .string(GoFormat.sprint(args)) },
        "println": TemplateFunction { args in .string(args.map(GoFormat.value).joined(separator: " ") + "\n") },
        "printf": TemplateFunction { args in
            guard let first = args.first else { throw TemplateFunctionError("wrong number of args for printf: want at least 1 got 0") }
            return .string(GoFormat.sprintf(try string(first, "printf", index: 0), Array(args.dropFirst())))
        },
        "html": TemplateFunction { args in
            var out = ""
            for ch in GoFormat.sprint(args).unicodeScalars {
                switch ch {
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "&": out += "&amp;"
                case "'": out += "&#39;"
                case "\"": out += "&#34;"
                case "\0": out += "\u{FFFD}"
                default: out.unicodeScalars.append(ch)
                }
            }
            return .string(out)
        },
        "urlquery": TemplateFunction { args in
            // url.QueryEscape: space as '+', unreserved characters kept.
            var out = ""
            for b in GoFormat.sprint(args).utf8 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                     UInt8(ascii: "."), UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(b))
                case UInt8(ascii: " "): out += "+"
                default: out += String(format: "%%%02X", b)
                }
            }
            return .string(out)
        },
    ]

    static func ordered(_ args: [TemplateValue], _ name: String, _ test: (Int) -> Bool) throws -> TemplateValue {
        try arity(args, 2, name)
        if case .bool = args[0] { throw TemplateFunctionError("invalid type for comparison") }
        return .bool(test(try compare(args[0], args[1])))
    }

    /// -1, 0 or 1 for values of one basic kind; Go's error for mixed or uncomparable kinds.
    static func compare(_ a: TemplateValue, _ b: TemplateValue) throws -> Int {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x == y ? 0 : 1 }
        switch (a, b) {
        case (.int(let x), .int(let y)): return sign(x, y)
        case (.float(let x), .float(let y)): return sign(x, y)
        case (.string(let x), .string(let y)):
            // Go compares strings bytewise.
            let xs = Array(x.utf8), ys = Array(y.utf8)
            return xs == ys ? 0 : (xs.lexicographicallyPrecedes(ys) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : 1
        case (.missing, .missing), (.null, .null), (.missing, .null), (.null, .missing): return 0
        case (.missing, _), (.null, _), (_, .missing), (_, .null):
            return 1
        case (.list, _), (.map, _), (_, .list), (_, .map):
            throw TemplateFunctionError("non-comparable type \(a.typeName): \(b.typeName)")
        default:
            throw TemplateFunctionError("incompatible types for comparison")
        }
    }
}
