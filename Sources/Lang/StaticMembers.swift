extension Interpreter {
    /// The field and method names that values of `expression`'s static type have: what the
    /// REPL offers after `expression.` (`tasks()[0].`, `wait(t).containers[0].`). The
    /// checker infers the type, with the session's names typed by their values; nothing
    /// runs. Empty when the text is not an expression or its type is not known.
    public func staticMembers(of expression: String) -> [StaticMember] {
        guard let type = staticType(of: expression) else { return [] }
        return TypeMembers.of(type, schemas: schemas).map { StaticMember(name: $0.name, isMethod: $0.isMethod) }
    }

    /// The checker's type of an expression, read through a built-in whose result rule sees
    /// its argument's type: the checker's own inference, not a second one.
    func staticType(of expression: String) -> ScriptType? {
        let probeName = "__ecsh_static_type__"
        let seen = ProbedTypes()
        let probe = Builtin(probeName, [.init("value")], doc: "") { _, _ in .nil }
            .returning { call in
                if let t = call["value"]?.type { seen.types.append(t) }
                return .any
            }
        // On a line of its own: a comment at its end cannot swallow the `)`.
        let file = SourceFile(name: "<completion>", text: "\(probeName)(\(expression)\n)")
        let parsed = Parser.parse(file)
        guard parsed.diagnostics.isEmpty, parsed.statements.count == 1 else { return nil }
        var globals: [String: ScriptType] = [:]
        for name in globalNames { if let v = global(name) { globals[name] = ScriptType(of: v) } }
        var env = TypeChecker.Environment(builtins: builtins, schemas: schemas, globals: globals)
        env.builtins[probeName] = probe
        _ = TypeChecker.check(parsed.statements, file: file, env: env)
        guard let t = seen.types.last, t != .any, t != .never else { return nil }
        return t
    }
}

/// A field or method a static type has.
public struct StaticMember: Sendable, Equatable {
    public let name: String
    /// Called (`.keys()`), not read (`.exitCode`).
    public let isMethod: Bool
}

/// What the probe saw; the checker runs on the caller's thread, one check at a time.
private final class ProbedTypes: @unchecked Sendable {
    var types: [ScriptType] = []
}
