/// The checker's expressions: literals and operators, calls of built-ins and functions.
extension TypeChecker {
    func infer(_ e: Expr) -> StaticArgument {
        switch e {
        case .literal(let lit, _):
            switch lit {
            case .nil: return StaticArgument(type: .nil, constant: .nil)
            case .bool(let b): return StaticArgument(type: .bool, constant: .bool(b))
            case .int(let i): return StaticArgument(type: .int, constant: .int(i))
            case .float(let d): return StaticArgument(type: .float, constant: .float(d))
            case .duration(let d): return StaticArgument(type: .duration, constant: .duration(d))
            case .string(let s): return StaticArgument(type: .string, constant: .string(s))
            }
        case .string(let parts, _):
            var text = ""
            var known = true
            for p in parts {
                switch p {
                case .text(let s): text += s
                case .expr(let x):
                    let v = infer(x)
                    if known, let c = v.constant, c.isPlainData { text += c.text } else { known = false }
                }
            }
            return StaticArgument(type: .string, constant: known ? .string(text) : nil)
        case .name(let name, _): return type(ofName: name)
        case .list(let items, _):
            var element = ScriptType.never
            // Constants matter only to preflight, in the reporting pass, and only small ones.
            var consts: [Value]? = reporting && items.count <= Self.constantItems ? [] : nil
            for item in items {
                let v = infer(item)
                if v.type != element { element = element.join(v.type) }
                if let c = v.constant { consts?.append(c) } else { consts = nil }
            }
            return StaticArgument(type: .list(element.capped(1)), constant: consts.map { .list($0) })
        case .map(let entries, _):
            var value = ScriptType.never
            var consts: [(String, Value)] = []
            var known = reporting && entries.count <= Self.constantItems
            for (k, v) in entries {
                let kv = infer(k), vv = infer(v)
                if vv.type != value { value = value.join(vv.type) }
                if known, case .string(let key)? = kv.constant, let c = vv.constant { consts.append((key, c)) } else { known = false }
            }
            var constant: Value?
            if known {
                var m = [String: Value]()
                var order: [String] = []
                for (k, v) in consts {
                    if m[k] == nil { order.append(k) }
                    m[k] = v
                }
                constant = .map(.init(uniqueKeysWithValues: order.map { ($0, m[$0] ?? .nil) }))
            }
            return StaticArgument(type: .map(value.capped(1)), constant: constant)
        case .unary(.negate, let x, _):
            let t = infer(x).type
            switch t {
            case .int, .float, .duration: return StaticArgument(type: t)
            default: return StaticArgument(type: .any)
            }
        case .unary(.not, let x, _):
            _ = infer(x)
            return StaticArgument(type: .bool)
        case .binary(let op, let a, let b, let r):
            let ta = infer(a).type, tb = infer(b).type
            if op == .eq { compareForEquality(ta, tb, op, r) }
            return StaticArgument(type: binaryResult(op, ta, tb))
        case .and(let a, let b, _), .or(let a, let b, _):
            _ = infer(a)
            _ = infer(b)
            return StaticArgument(type: .bool)
        case .coalesce(let a, let b, _):
            let ta = infer(a).type, tb = infer(b).type
            return StaticArgument(type: ta.nonNil.join(tb))
        case .range(let a, let b, _, _):
            _ = infer(a)
            _ = infer(b)
            return StaticArgument(type: .range)
        case .index(let b, let i, _):
            let tb = infer(b).type
            _ = infer(i)
            return StaticArgument(type: indexResult(tb))
        case .field(let base, let name, let optional, let nameRange, _):
            if case .name(let n, _) = base, case .module? = lookup(n) { return StaticArgument(type: .any) }
            let tb = infer(base).type
            if nameRange.start == probe { probed = (probed ?? .never).join(optional ? tb.nonNil : tb) }
            return StaticArgument(type: field(tb, name, optional: optional, at: nameRange))
        case .function(let f): return StaticArgument(type: function(f, parameterTypes: nil))
        case .call(let callee, let args, let r): return call(callee, args, r)
        }
    }

    /// Lists and Maps longer than this are not folded into constants: run parameters are small.
    static let constantItems = 1000

    /// The result type of a binary operator where the operands' types decide it.
    func binaryResult(_ op: BinaryOp, _ a: ScriptType, _ b: ScriptType) -> ScriptType {
        switch op {
        case .eq, .ne, .lt, .le, .gt, .ge, .in: return .bool
        default: break
        }
        switch (op, a, b) {
        case (.add, .int, .int), (.sub, .int, .int), (.mul, .int, .int), (.div, .int, .int), (.mod, .int, .int): return .int
        case (.add, .string, .string), (.mul, .string, .int), (.mul, .int, .string): return .string
        case (.add, .list(let x), .list(let y)): return .list(x.join(y))
        case (.add, .map(let x), .map(let y)): return .map(x.join(y))
        case (.add, .duration, .duration), (.sub, .duration, .duration): return .duration
        case (.mul, .duration, .int), (.mul, .int, .duration), (.mul, .duration, .float), (.mul, .float, .duration),
             (.div, .duration, .int), (.div, .duration, .float): return .duration
        case (.div, .duration, .duration): return .float
        case (_, .float, .float), (_, .int, .float), (_, .float, .int): return .float
        default: return .any
        }
    }

    /// `a == b` where no value of one type can equal a value of the other.
    private func compareForEquality(_ a: ScriptType, _ b: ScriptType, _ op: BinaryOp, _ r: SourceRange) {
        let numbers: ScriptType = .number
        func widened(_ t: ScriptType) -> ScriptType { t.mayBe(numbers) && t != .any && t != .never ? t.join(numbers) : t }
        // A test against nil asks whether a value is there: never reported.
        if a == .nil || b == .nil { return }
        if widened(a).mayBe(widened(b)) || widened(b).mayBe(widened(a)) { return }
        report("'==' compares \(a.withArticle) with \(b.withArticle): it is always false", r)
    }

    private func indexResult(_ t: ScriptType) -> ScriptType {
        switch t {
        case .list(let e): return e
        case .string: return .string
        case .map(let v): return v
        case .range: return .int
        default: return .any
        }
    }

    // MARK: calls

    private func call(_ callee: Expr, _ args: [Argument], _ r: SourceRange) -> StaticArgument {
        if case .field(let base, let name, let optional, let nameRange, _) = callee {
            if case .name(let n, _) = base, case .module? = lookup(n) {
                args.forEach { _ = infer($0.value) }
                return StaticArgument(type: .any)
            }
            return method(base, name, optional: optional, nameRange: nameRange, args, r)
        }
        if case .name(let name, _) = callee {
            switch lookup(name) {
            case nil:
                if let b = env.builtins[name] { return builtinCall(b, args, r) }
            case .function(let f)?:
                args.forEach { _ = infer($0.value) }
                readKeys.insert(f.range.start)
                return StaticArgument(type: results[f.range.start] ?? .never)
            default: break
            }
        }
        let t = infer(callee).type
        args.forEach { _ = infer($0.value) }
        if case .function(let f?) = t { return StaticArgument(type: f.result) }
        if t.members.allSatisfy({ $0.isCertainlyNotCallable }) {
            report("cannot call \(t.withArticle) value", callee.range)
        }
        return StaticArgument(type: .any)
    }

    private func builtinCall(_ b: Builtin, _ args: [Argument], _ r: SourceRange) -> StaticArgument {
        let inferred = args.map { infer($0.value) }
        var byName: [String: StaticArgument] = [:]
        // Binding problems are the resolver's to report; types are checked where it binds.
        if case .success(let binding) = b.binder.bind(args.map(\.label)) {
            for (i, k) in binding.enumerated() {
                guard let k else {
                    let p = b.parameters.first { $0.kind == .variadic }
                    if let p, !inferred[i].type.mayBe(p.type) {
                        report("\(b.name)(): '\(p.name)' must be \(p.type.withArticle), got \(inferred[i].type.withArticle)", args[i].value.range)
                    }
                    continue
                }
                let p = b.parameters[k]
                byName[p.name] = inferred[i]
                let t = inferred[i].type
                let fits = t.mayBe(p.type) || (p.defaultValue?.isNil == true && t == .nil)
                if !fits {
                    report("\(b.name)(): '\(p.name)' must be \(p.type.withArticle), got \(t.withArticle)", args[i].value.range)
                }
            }
        }
        let call = StaticCall(builtin: b, arguments: byName, context: env.preflight ?? PreflightContext(file: nil, host: MemoryHost()))
        var result: StaticArgument
        switch b.result {
        case .fixed(let t): result = StaticArgument(type: t)
        case .rule(let rule): result = StaticArgument(type: rule(call))
        }
        // Preflight inside a try body still runs (config() there sets defaults), but what
        // it refuses is the script's to catch.
        if reporting, env.preflight != nil, let check = b.preflight {
            do {
                if let known = try check(call) {
                    result.constant = known.constant
                    result.fact = known.fact
                    if known.type != .any { result.type = known.type }
                }
            } catch let e as ScriptError {
                report(e.message, r)
            } catch {
                report("\(b.name)(): \(error)", r)
            }
        }
        return result
    }
}

extension ScriptType {
    var isCertainlyNotCallable: Bool {
        switch self {
        case .any, .never, .function: return false
        // A record's field, a map's value: calling them is a different expression.
        default: return true
        }
    }
}

extension Value {
    /// Data a checker may fold into text (no functions, cells or records).
    var isPlainData: Bool {
        switch self {
        case .nil, .bool, .int, .float, .string, .duration: return true
        default: return false
        }
    }
}
