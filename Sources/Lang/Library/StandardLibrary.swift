import Foundation

/// The built-ins every script has, ECS or not.
enum StandardLibrary {
    static func builtins() -> [Builtin] {
        [
            Builtin("print", [.init("values", .variadic), .init("sep", .named, default: .string(" "), type: .string), .init("end", .named, default: .string("\n"), type: .string)],
                    doc: "Writes str() of each value to stdout, separated by sep and followed by end.") { a, ctx in
                ctx.output.write(try joined(a, ctx))
                return .nil
            }.returning(.nil),
            Builtin("eprint", [.init("values", .variadic), .init("sep", .named, default: .string(" "), type: .string), .init("end", .named, default: .string("\n"), type: .string)],
                    doc: "Like print, to stderr.") { a, ctx in
                ctx.output.writeError(try joined(a, ctx))
                return .nil
            }.returning(.nil),
            Builtin("len", [.init("value", type: .union([.string, .list(.any), .map(.any), .range]))], doc: "The number of items of a List, Map or Range, or characters of a String.") { a, _ in
                switch a[0] {
                case .string(let s): return .int(s.count)
                case .list(let l): return .int(l.count)
                case .map(let m): return .int(m.entries.count)
                case .range(let r):
                    guard let n = r.count else { throw ScriptError("len(): the range has more items than an Int can count", code: "OverflowError") }
                    return .int(n)
                case let v: throw ScriptError("len() needs a String, List, Map or Range, got \(v.typeName)", code: "TypeError")
                }
            }.returning(.int),
            Builtin("str", [.init("value")], doc: "The value as text, as print shows it.") { a, ctx in
                guard let s = a[0].text(limit: ctx.machine.maxStringBytes) else { throw tooLarge() }
                return .string(s)
            }.returning(.string),
            Builtin("type", [.init("value")], doc: "The type name of a value: Int, String, List, Task, ...") { a, _ in .string(a[0].typeName) }.returning(.string),
            Builtin("int", [.init("value")], doc: "An Int from an Int, a Float (truncated) or a String of digits.") { a, _ in try toInt(a[0]) }.returning(.int),
            Builtin("float", [.init("value")], doc: "A Float from an Int, a Float or a String.") { a, _ in try toFloat(a[0]) }.returning(.float),
            Builtin("range", [.init("start", type: .int), .optional("stop", type: .int), .init("step", default: .int(1), type: .int)],
                    doc: "range(n) is 0..n; range(a, b) is a..b; range(a, b, step) is a List counting by step.") { a, ctx in
                guard case .int(let first) = a[0] else { throw a.typeError("start", "an Int", a[0]) }
                // range(n) counts from 0 to n, with a step too: range(10, step: 2).
                var x = 0, y = first
                if !a[1].isNil {
                    guard case .int(let stop) = a[1] else { throw a.typeError("stop", "an Int", a[1]) }
                    x = first
                    y = stop
                }
                guard case .int(let step) = a[2] else { throw a.typeError("step", "an Int", a[2]) }
                if step == 1 { return .range(RangeValue(lower: x, upper: y, closed: false)) }
                guard step != 0 else { throw ScriptError("range() step must not be zero", code: "ValueError") }
                // Counted in wide arithmetic so extreme bounds and steps cannot overflow.
                let span = step > 0 ? Int128(y) - Int128(x) : Int128(x) - Int128(y)
                let stride = step > 0 ? Int128(step) : -Int128(step)
                let n = span <= 0 ? 0 : (span + stride - 1) / stride
                guard n <= ctx.machine.maxListCount else { throw ScriptError("range() would have \(n) items: too many", code: "MemoryError") }
                return .list((0..<Int(n)).map { .int(Int(Int128(x) + Int128($0) * Int128(step))) })
            }.returning { call in
                // A step other than 1 makes a List.
                guard let step = call["step"] else { return .range }
                if case .int(1)? = step.constant { return .range }
                return step.constant == nil ? .union([.range, .list(.int)]) : .list(.int)
            },
            Builtin("env", [.init("name", type: .string), .optional("default")], doc: "An environment variable, or default (nil) when it is not set.") { a, ctx in
                if let v = ctx.host.environmentVariable(try a.string("name")) { return .string(v) }
                return a[1]
            }.returning { call in ScriptType.string.join(call["default"]?.type ?? .nil) },
            Builtin("must_env", [.init("name", type: .string)], doc: "An environment variable; an error when it is not set.") { a, ctx in
                let name = try a.string("name")
                guard let v = ctx.host.environmentVariable(name) else {
                    throw ScriptError("environment variable \(name) is not set", code: "EnvError")
                }
                return .string(v)
            }.returning(.string),
            Builtin("sleep", [.init("duration", type: .duration)], doc: "Waits for a Duration such as 500ms or 2s. Ctrl-C interrupts it.") { a in
                guard case .duration(let ns) = a[0] else {
                    throw ScriptError("sleep() needs a Duration such as 500ms or 2s, got \(a[0].typeName)", code: "TypeError")
                }
                // A wait like any other: inside parallel(), the other calls run meanwhile.
                try await Task.sleep(nanoseconds: UInt64(max(0, ns)))
                return .nil
            }.returning(.nil),
            Builtin("now", doc: "Seconds since 1970-01-01 UTC, as a Float.") { _, _ in .float(Date().timeIntervalSince1970) }.returning(.float),
            Builtin("json", [.init("value"), .init("indent", default: .int(0), type: .int)], doc: "The value as JSON text; indent > 0 pretty-prints.") { a, ctx in
                .string(try JSON.encode(a[0], indent: try a.int("indent"), maxBytes: ctx.machine.maxStringBytes))
            }.returning(.string),
            Builtin("parse_json", [.init("text", type: .string)], doc: "Parses JSON text into Maps, Lists, Strings, Ints, Floats, Bools and nil.") { a, _ in
                do { return try JSON.decode(try a.string("text")) } catch let e as JSONError {
                    throw ScriptError("parse_json(): invalid JSON: \(e)", code: "ValueError")
                }
            },
            Builtin("read_file", [.init("path", type: .string)], doc: "The contents of a text file.") { a, ctx in
                let path = try a.string("path")
                let bytes: [UInt8]
                do throws(ScriptHostError) { bytes = try ctx.host.readFile(path) } catch {
                    throw ScriptError("read_file(): cannot read \(path): \(error.reason)", code: "IOError")
                }
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw ScriptError("read_file(): \(path) is not UTF-8 text", code: "IOError")
                }
                return .string(s)
            }.returning(.string),
            Builtin("fail", [.init("message"), .init("code", .named, default: .string("Error"), type: .string)],
                    doc: "Raises an error with a message (and a code) that try/catch can catch.") { a, _ in
                throw ScriptError(a[0].text, code: try a.string("code"))
            },
            Builtin("exit", [.init("status", default: .int(0), type: .int)], doc: "Ends the script with an exit status from 0 to 255.") { a, _ in
                guard case .int(let n) = a[0], (0...255).contains(n) else {
                    throw ScriptError("exit() needs an Int from 0 to 255, got \(a[0].repr)", code: "ValueError")
                }
                throw UnwindBox(.exit(Int32(n)))
            },
            Builtin("assert", [.init("condition", type: .bool), .optional("message")], doc: "Fails with the message when the condition is false.") { a, _ in
                guard case .bool(let ok) = a[0] else {
                    throw ScriptError("assert() needs a Bool condition, got \(a[0].typeName)", code: "TypeError")
                }
                if !ok {
                    let m = a[1].isNil ? "assertion failed" : "assertion failed: \(a[1].text)"
                    throw ScriptError(m, code: "AssertionError")
                }
                return .nil
            },
            Builtin("help", [.optional("name")], doc: "Lists the built-ins, or shows one: help(\"run\") or help(run); help(\"for\") explains a keyword.") { a, ctx in
                let all = ctx.machine.interpreter?.builtins ?? [:]
                var name: String?
                switch a[0] {
                case .nil: break
                case .string(let s): name = s
                case .builtin(let b): name = b.name
                case .function(let c):
                    ctx.output.write("\(c.name)(\(c.proto.parameterNames.joined(separator: ", "))): a script function\n")
                    return .nil
                case let v: throw ScriptError("help() takes a name or a built-in, got \(v.typeName)", code: "TypeError")
                }
                if let name, all[name] == nil, let text = typeHelp(name, ctx.machine.interpreter?.schemas ?? [:]) {
                    ctx.output.write(text)
                    return .nil
                }
                if let name {
                    if all[name] == nil, let text = KeywordHelp.entries[name] {
                        ctx.output.write("\(text)\n")
                        return .nil
                    }
                    guard let b = all[name] else {
                        let hint = suggestion(for: name, among: Array(all.keys) + KeywordHelp.entries.keys).map { " (did you mean '\($0)'?)" } ?? ""
                        throw ScriptError("help(): no built-in named '\(name)'\(hint)", code: "NameError")
                    }
                    ctx.output.write("\(b.signature)\n  \(b.doc.replacingOccurrences(of: "\n", with: "\n  "))\n")
                    return .nil
                }
                var out = "Built-ins (help(\"name\") for one):\n"
                for b in all.values.sorted(by: { $0.name < $1.name }) {
                    let first = b.doc.split(separator: "\n").first.map(String.init) ?? ""
                    // A signature too wide for the column puts its description on the next line.
                    let sig = b.signature
                    out += sig.count <= 34 ? "  \(sig.padding(toLength: 36, withPad: " ", startingAt: 0))\(first)\n"
                        : "  \(sig)\n  \(String(repeating: " ", count: 36))\(first)\n"
                }
                ctx.output.write(out)
                return .nil
            },
            Parallel.builtin(),
        ]
    }

    /// `help("Task")`, `help("List")`: a record's fields or a type's methods, from the
    /// tables the checker uses.
    static func typeHelp(_ name: String, _ schemas: [String: RecordSchema]) -> String? {
        if let schema = schemas[name] {
            var out = "\(schema.name): \(schema.doc)\n"
            for f in schema.fields { out += "  .\(f.name): \(f.type)  \(f.doc)\n" }
            return out
        }
        let methods: [Method]
        switch name {
        case "List", "Range": methods = MethodTable.list
        case "String": methods = MethodTable.string
        case "Map": methods = MethodTable.map
        case "Duration": return "Duration: no methods; + and - with Durations, * and / by numbers, int() and float() give seconds.\n"
        default: return nil
        }
        var out = "\(name) methods:\n"
        for m in methods { out += "  .\(m.signature.text)  \(m.doc)\n" }
        return out
    }

    /// What print writes: the values' text, within the string limit.
    private static func joined(_ a: Arguments, _ ctx: CallContext) throws -> String {
        let sep = try a.string("sep"), end = try a.string("end")
        guard case .list(let items) = a[0] else { return end }
        var texts: [String] = []
        var size = 0
        for v in items {
            guard let t = v.text(limit: ctx.machine.maxStringBytes - size) else { throw tooLarge() }
            size += t.utf8.count + sep.utf8.count
            texts.append(t)
        }
        return texts.joined(separator: sep) + end
    }

    private static func tooLarge() -> ScriptError { ScriptError("string would be too large", code: "MemoryError") }

    static func toInt(_ v: Value) throws -> Value {
        switch v {
        case .int: return v
        case .float(let d):
            guard d.isFinite, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
                throw ScriptError("int(): \(formatFloat(d)) does not fit in an Int", code: "ValueError")
            }
            return .int(Int(d))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if let i = Int(t.replacingOccurrences(of: "_", with: "")) { return .int(i) }
            throw ScriptError("int(): \(quote(s)) is not a whole number", code: "ValueError")
        case .bool(let b): return .int(b ? 1 : 0)
        case .duration(let ns): return .int(ns / 1_000_000_000)
        default: throw ScriptError("int() cannot convert \(v.typeNameWithArticle)", code: "TypeError")
        }
    }

    static func toFloat(_ v: Value) throws -> Value {
        switch v {
        case .float: return v
        case .int(let i): return .float(Double(i))
        case .string(let s):
            if let d = Double(s.trimmingCharacters(in: .whitespacesAndNewlines)) { return .float(d) }
            throw ScriptError("float(): \(quote(s)) is not a number", code: "ValueError")
        case .duration(let ns): return .float(Double(ns) / 1e9)
        default: throw ScriptError("float() cannot convert \(v.typeNameWithArticle)", code: "TypeError")
        }
    }
}
