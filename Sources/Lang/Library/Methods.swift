/// `xs.map(f)` and friends: methods of Lists, Ranges, Strings and Maps. A call on a Map
/// key or a Record field that holds a function calls that function instead.
final class MethodCallNode: ExprNode {
    let receiver: ExprNode
    let name: String
    let args: [ExprNode]
    let labels: [String?]?
    let optional: Bool
    init(_ receiver: ExprNode, _ name: String, _ args: [ExprNode], labels: [String?]?, optional: Bool, _ r: SourceRange) {
        self.receiver = receiver; self.name = name; self.args = args; self.labels = labels; self.optional = optional
        super.init(r)
    }

    override func eval(_ f: Frame, _ m: Machine) throws(Unwind) -> Value {
        let recv = try receiver.eval(f, m)
        if optional, case .nil = recv { throw .nilChain }
        var values: [Value] = []
        values.reserveCapacity(args.count)
        for a in args { values.append(try a.eval(f, m)) }
        return try m.callMethod(recv, name, values, labels: labels, at: range)
    }
}

extension Machine {
    /// `recv.name(values)` once the receiver and arguments are evaluated.
    func callMethod(_ recv: Value, _ name: String, _ values: [Value], labels: [String?]?, at range: SourceRange) throws(Unwind) -> Value {
        let m = self
        // A function stored under this name in a Map or Record (a module's function, say).
        switch recv {
        case .map(let ms) where !Methods.mapMethods.contains(name):
            guard let fn = ms.entries[name] else { break }
            return try m.callFunctionValue(fn, values, labels: labels, name: name, at: range)
        case .record(let r):
            guard let fn = r.fields[name] else {
                let hint = suggestion(for: name, among: r.fields.keys).map { " (did you mean '\($0)'?)" } ?? ""
                throw m.error("\(r.typeName) has no field '\(name)'\(hint)", at: range, code: "AttributeError")
            }
            return try m.callFunctionValue(fn, values, labels: labels, name: name, at: range)
        default: break
        }
        return try Methods.call(recv, name, values, labels: labels, m, range)
    }

    func callFunctionValue(_ fn: Value, _ values: [Value], labels: [String?]?, name: String, at range: SourceRange) throws(Unwind) -> Value {
        switch fn {
        case .function(let clo): return try callClosure(clo, values, labels: labels, at: range)
        case .builtin(let b): return try callBuiltin(b, values, labels: labels, at: range)
        default: throw error("'\(name)' is \(fn.typeNameWithArticle), not a function", at: range, code: "TypeError")
        }
    }
}

enum Methods {
    /// Copies `text`'s UTF-8 into `dst` from `at` (which has room); answers the count.
    static func copyUTF8(_ text: String, into dst: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        // In place where the text is contiguous (native and small strings), without the
        // copy of the String that `withUTF8` needs; byte by byte otherwise (bridged ones).
        if let n = text.utf8.withContiguousStorageIfAvailable({ src -> Int in
            guard let from = src.baseAddress, let to = dst.baseAddress else { return 0 }
            (to + at).initialize(from: from, count: src.count)
            return src.count
        }) { return n }
        var k = at
        for b in text.utf8 { dst[k] = b; k += 1 }
        return k - at
    }

    static let listMethods = MethodTable.list.map(\.name)
    static let stringMethods = MethodTable.string.map(\.name)
    static let mapMethods = MethodTable.map.map(\.name)
    /// Field names people reach for to get a length.
    static let lengthWords = ["length", "size", "len"]

    static func names(for v: Value) -> [String] {
        switch v {
        case .list, .range: return listMethods
        case .string: return stringMethods
        case .map: return mapMethods
        default: return []
        }
    }

    static func isMethod(_ name: String, of v: Value) -> Bool { names(for: v).contains(name) }

    static func call(_ recv: Value, _ name: String, _ args: [Value], labels: [String?]?, _ m: Machine,
                     _ range: SourceRange) throws(Unwind) -> Value {
        func arity(_ lo: Int, _ hi: Int? = nil) throws(Unwind) {
            let hi = hi ?? lo
            guard args.count >= lo, args.count <= hi else {
                let want = lo == hi ? "\(lo)" : "\(lo) to \(hi)"
                throw m.error("\(recv.typeName).\(name)() takes \(want) argument\(hi == 1 ? "" : "s"), got \(args.count)", at: range, code: "TypeError")
            }
        }
        func noLabels() throws(Unwind) {
            if let labels, let l = labels.compactMap({ $0 }).first {
                throw m.error("\(recv.typeName).\(name)() has no parameter named '\(l)'", at: range, code: "TypeError")
            }
        }
        func str(_ i: Int) throws(Unwind) -> String {
            guard case .string(let s) = args[i] else {
                throw m.error("\(recv.typeName).\(name)() needs a String argument, got \(args[i].typeName)", at: range, code: "TypeError")
            }
            return s
        }
        func truth(_ v: Value) throws(Unwind) -> Bool {
            guard case .bool(let b) = v else {
                throw m.error("the function given to \(name)() must return a Bool, got \(v.typeName)", at: range, code: "TypeError")
            }
            return b
        }

        switch recv {
        case .list, .range:
            let items: [Value]
            if case .list(let l) = recv { items = l } else if case .range(let r) = recv {
                guard let n = r.count, n <= m.maxListCount else {
                    throw m.error("range is too large to turn into a List", at: range, code: "MemoryError")
                }
                items = (0..<n).map { .int(r.element($0)) }
            } else { items = [] }
            switch name {
            case "append":
                throw m.error("append() changes a List in place: call it on a variable declared with var", at: range, code: "TypeError")
            case "map":
                try noLabels(); try arity(1)
                var out: [Value] = []
                out.reserveCapacity(items.count)
                for v in items { out.append(try m.callValue(args[0], [v], at: range)) }
                return .list(out)
            case "filter":
                try noLabels(); try arity(1)
                var out: [Value] = []
                for v in items where try truth(try m.callValue(args[0], [v], at: range)) { out.append(v) }
                return .list(out)
            case "all":
                try noLabels(); try arity(1)
                for v in items where !(try truth(try m.callValue(args[0], [v], at: range))) { return .bool(false) }
                return .bool(true)
            case "any":
                try noLabels(); try arity(1)
                for v in items where try truth(try m.callValue(args[0], [v], at: range)) { return .bool(true) }
                return .bool(false)
            case "contains":
                try noLabels(); try arity(1)
                return .bool(items.contains { Value.equal($0, args[0]) })
            case "count":
                try noLabels(); try arity(0)
                return .int(items.count)
            case "join":
                try noLabels(); try arity(0, 1)
                let sep = args.isEmpty ? "" : try str(0)
                // Measured first, then copied once into the result: String's own appends
                // cost about 270 instructions per short piece, gathering and joining more.
                let sepBytes = sep.utf8.count
                var total = 0
                var texts: [Int: String] = [:]  // of the items that are not Strings
                for k in items.indices {
                    if k > 0 { total += sepBytes }
                    if case .string(let t) = items[k] {
                        total += t.utf8.count
                    } else {
                        guard total <= m.maxStringBytes, let t = items[k].text(limit: m.maxStringBytes - total) else {
                            throw m.error("string would be too large", at: range, code: "MemoryError")
                        }
                        texts[k] = t
                        total += t.utf8.count
                    }
                    guard total <= m.maxStringBytes else { throw m.error("string would be too large", at: range, code: "MemoryError") }
                }
                // Valid UTF-8 pieces make valid UTF-8: copied without a second check.
                return .string(String(unsafeUninitializedCapacity: total) { dst in
                    var at = 0
                    for k in items.indices {
                        if k > 0, sepBytes > 0 { at += Self.copyUTF8(sep, into: dst, at: at) }
                        if case .string(let t) = items[k] {
                            at += Self.copyUTF8(t, into: dst, at: at)
                        } else if let t = texts[k] {
                            at += Self.copyUTF8(t, into: dst, at: at)
                        }
                    }
                    return at
                })
            case "reversed":
                try noLabels(); try arity(0)
                return .list(items.reversed())
            case "sort":
                // sort(key: fn) or sort(reverse: true); the list itself is not changed.
                var key: Value?
                var reverse = false
                for (i, a) in args.enumerated() {
                    switch labels?[i] ?? nil {
                    case "key"?, nil: key = a
                    case "reverse"?:
                        guard case .bool(let b) = a else { throw m.error("sort(reverse:) needs a Bool", at: range, code: "TypeError") }
                        reverse = b
                    case let l?: throw m.error("List.sort() has no parameter named '\(l)' (it takes key: and reverse:)", at: range, code: "TypeError")
                    }
                }
                var keyed: [(Value, Value)] = []
                keyed.reserveCapacity(items.count)
                for v in items { keyed.append((try key.map { k throws(Unwind) in try m.callValue(k, [v], at: range) } ?? v, v)) }
                var failure: Unwind?
                keyed.sort { a, b in
                    guard failure == nil else { return false }
                    guard let c = compare(a.0, b.0) else {
                        failure = m.error("cannot sort: \(a.0.typeName) and \(b.0.typeName) cannot be compared", at: range, code: "TypeError")
                        return false
                    }
                    return reverse ? c > 0 : c < 0
                }
                if let failure { throw failure }
                return .list(keyed.map(\.1))
            default: break
            }
        case .string(let s):
            switch name {
            case "split":
                try noLabels(); try arity(0, 1)
                if args.isEmpty {
                    return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
                }
                let sep = try str(0)
                guard !sep.isEmpty else { throw m.error("split() separator must not be empty", at: range, code: "ValueError") }
                return .list(s.splitAll(by: sep).map { .string($0) })
            case "trim":
                try noLabels(); try arity(0)
                return .string(String(s.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed()))
            case "upper": try noLabels(); try arity(0); return .string(s.uppercased())
            case "lower": try noLabels(); try arity(0); return .string(s.lowercased())
            case "startsWith": try noLabels(); try arity(1); return .bool(s.hasPrefix(try str(0)))
            case "endsWith": try noLabels(); try arity(1); return .bool(s.hasSuffix(try str(0)))
            case "contains": try noLabels(); try arity(1); let t = try str(0); return .bool(t.isEmpty || s.contains(t))
            case "count": try noLabels(); try arity(0); return .int(s.count)
            case "replace":
                try noLabels(); try arity(2)
                let old = try str(0), new = try str(1)
                guard !old.isEmpty else { throw m.error("replace() needs a non-empty String to replace", at: range, code: "ValueError") }
                let pieces = s.splitAll(by: old)
                guard s.utf8.count + (pieces.count - 1) * (new.utf8.count - old.utf8.count) <= m.maxStringBytes else {
                    throw m.error("string would be too large", at: range, code: "MemoryError")
                }
                return .string(pieces.joined(separator: new))
            default: break
            }
        case .map(let ms):
            switch name {
            case "keys": try noLabels(); try arity(0); return .list(ms.entries.keys.map { .string($0) })
            case "values": try noLabels(); try arity(0); return .list(Array(ms.entries.values))
            case "count": try noLabels(); try arity(0); return .int(ms.entries.count)
            case "has": try noLabels(); try arity(1); return .bool(ms.entries[try str(0)] != nil)
            case "get":
                try noLabels(); try arity(1, 2)
                return ms.entries[try str(0)] ?? (args.count > 1 ? args[1] : .nil)
            default: break
            }
        default: break
        }
        let known = names(for: recv)
        if known.isEmpty {
            throw m.error("\(recv.typeName) has no method '\(name)'", at: range, code: "AttributeError")
        }
        let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
        throw m.error("\(recv.typeName) has no method '\(name)'\(hint)", at: range, code: "AttributeError")
    }
}

extension String {
    func splitAll(by sep: String) -> [String] {
        var out: [String] = []
        var rest = self[...]
        while let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}
