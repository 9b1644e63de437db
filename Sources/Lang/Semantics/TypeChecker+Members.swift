/// The checker's fields and methods: what `x.f` and `x.m(...)` give, and which of them
/// cannot work for any value of the receiver's type.
extension TypeChecker {
    /// Fields of a task that are known only once it has stopped.
    static let finalTaskFields: Set<String> = ["ok", "exitCode", "stopCode", "stoppedReason"]

    /// Why reading `name` fails on values of one member type, or nil when it may work;
    /// with the field's type when it works.
    private func fieldOf(_ t: ScriptType, _ name: String) -> (type: ScriptType?, problem: String?) {
        switch t {
        case .any, .never: return (.any, nil)
        case .nil: return (nil, "cannot read field '\(name)' of nil (use ?. to allow nil)")
        case .map(let v): return (v, nil)
        case .record(let s), .shapedMap(let s):
            guard let schema = env.schemas[s] else { return (.any, nil) }
            if let f = schema.field(name) { return (f.type, nil) }
            let hint = suggestion(for: name, among: schema.fields.map(\.name))
            if schema.isOpen, hint == nil { return (.any, nil) }
            let h = hint.map { " (did you mean '\($0)'?)" } ?? ""
            if schema.isMap {
                if MethodTable.map.contains(where: { $0.name == name }) {
                    return (nil, "'\(name)' is a Map method: call it as .\(name)(...)")
                }
                return (nil, "map has no key \"\(name)\"\(h)")
            }
            return (nil, "\(s) has no field '\(name)'\(h)")
        case .pendingTask:
            if Self.finalTaskFields.contains(name) {
                return (nil, "a task from run() without wait: true may still be running here, so its .\(name) is not known: use the record wait() returns (t = wait(t)) or run(..., wait: true)")
            }
            return fieldOf(.task, name)
        default:
            let typeName = t.runtimeName ?? t.description
            if [.string, .range].contains(t) || t.isList, Methods.lengthWords.contains(name) {
                return (nil, "\(typeName) has no field '\(name)': use len(x)")
            }
            if MethodTable.lookup(name, on: t) != nil {
                return (nil, "'\(name)' is \(ScriptType.record(typeName).withArticle) method: call it as .\(name)(...)")
            }
            return (nil, "\(typeName) has no field '\(name)'")
        }
    }

    /// `x.f`: its type; reports a field no value of `x`'s type has.
    func field(_ base: ScriptType, _ name: String, optional: Bool, at r: SourceRange) -> ScriptType {
        let receiver = optional ? base.nonNil : base
        var result = ScriptType.never
        var problems: [String] = []
        for m in receiver.members {
            let (t, problem) = fieldOf(m, name)
            if let t { result = result.join(t) }
            if let problem { problems.append(problem) }
        }
        // Reported only when it fails whatever the value is.
        if result == .never, let first = problems.first(where: { !$0.hasPrefix("cannot read field") }) ?? problems.first,
           receiver != .never {
            report(first, r)
            return .any
        }
        return optional && base.admitsNil ? result.join(.nil) : result
    }

    /// `x.m(args)`: a method of a built-in type, or a function stored in a Map or record.
    func method(_ baseExpr: Expr, _ name: String, optional: Bool, nameRange: SourceRange, _ args: [Argument],
                _ r: SourceRange) -> StaticArgument {
        let base = infer(baseExpr).type
        let receiver = optional ? base.nonNil : base
        if nameRange.start == probe { probed = (probed ?? .never).join(receiver) }
        // `xs.append(v)` on a variable: the list now holds v's type too.
        if name == "append", args.count == 1 {
            let v = infer(args[0].value).type
            widen(baseExpr, by: v)
        }
        let found = receiver.members.compactMap { MethodTable.lookup(name, on: $0) }.first
        var argumentTypes: [ScriptType] = []
        for (i, a) in args.enumerated() {
            if name == "append", i == 0 { argumentTypes.append(.any); continue }
            if let found, let callback = found.callbackParameter, case .function(let f) = a.value {
                argumentTypes.append(function(f, parameterTypes: f.parameters.map { _ in callback(receiver) }))
            } else {
                argumentTypes.append(infer(a.value).type)
            }
        }
        var result = ScriptType.never
        var problems: [String] = []
        for m in receiver.members {
            switch m {
            case .any, .never, .map: result = .any
            case .nil: problems.append("cannot call method '\(name)' of nil (use ?. to allow nil)")
            case .record, .pendingTask, .shapedMap:
                // A record's field or a Map key holding a function.
                if case .shapedMap = m, let method = MethodTable.lookup(name, on: m) {
                    result = result.join(method.result(m, argumentTypes))
                    continue
                }
                let (t, problem) = fieldOf(m, name)
                if let problem { problems.append(problem) } else { result = .any; _ = t }
            default:
                if let method = MethodTable.lookup(name, on: m) {
                    checkMethodCall(method, on: m, args, argumentTypes, r)
                    result = result.join(method.result(m, argumentTypes))
                } else {
                    let known = MethodTable.methods(of: m)?.map(\.name) ?? []
                    let hint = suggestion(for: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                    problems.append("\(m.runtimeName ?? m.description) has no method '\(name)'\(hint)")
                }
            }
        }
        if result == .never, receiver != .never, let first = problems.first {
            report(first, nameRange)
            return StaticArgument(type: .any)
        }
        return StaticArgument(type: optional && base.admitsNil ? result.join(.nil) : result)
    }

    /// Counts, names and types of a method call's arguments.
    private func checkMethodCall(_ method: Method, on receiver: ScriptType, _ args: [Argument], _ types: [ScriptType],
                                 _ r: SourceRange) {
        // `append` is checked by the resolver, which knows whether the receiver is a place.
        if method.name == "append" { return }
        let sig = Signature(name: "\(receiver.runtimeName ?? receiver.description).\(method.name)", parameters: method.signature.parameters)
        switch sig.bind(args.map(\.label)) {
        case .failure(let problem): report(sig.message(problem), r)
        case .success(let binding):
            for (i, k) in binding.enumerated() {
                guard let k else { continue }
                let p = sig.parameters[k]
                if !types[i].mayBe(p.type), !(p.defaultValue?.isNil == true && types[i] == .nil) {
                    report("\(sig.name)(): '\(p.name)' must be \(p.type.withArticle), got \(types[i].withArticle)", args[i].value.range)
                }
            }
        }
    }
}
