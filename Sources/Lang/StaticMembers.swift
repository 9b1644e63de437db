extension Interpreter {
    /// The field and method names that values of `expression`'s static type have: what the
    /// REPL offers after `expression.` (`tasks()[0].`, `wait(t).containers[0].`). The
    /// checker infers the type, with the session's names typed by their values; nothing
    /// runs. Empty when the text is not an expression or its type is not known.
    public func staticMembers(of expression: String) -> [StaticMember] {
        guard let type = staticType(of: expression) else { return [] }
        return TypeMembers.of(type, schemas: schemas).map { StaticMember(name: $0.name, isMethod: $0.isMethod) }
    }

    /// The checker's type of an expression: the type of the receiver of a member access
    /// made up after it, found by the same probe the language server's completion uses.
    func staticType(of expression: String) -> ScriptType? {
        // On a line of its own: a comment at its end cannot swallow the `)`.
        let prefix = "(\(expression)\n)."
        let file = SourceFile(name: "<completion>", text: prefix + "__ecsh_completion__")
        let parsed = Parser.parse(file)
        guard parsed.diagnostics.isEmpty, parsed.statements.count == 1 else { return nil }
        var globals: [String: ScriptType] = [:]
        for name in globalNames { if let v = global(name) { globals[name] = ScriptType(of: v) } }
        let env = TypeChecker.Environment(builtins: builtins, schemas: schemas, globals: globals)
        let checker = TypeChecker.settle(parsed.statements, file: file, env: env, probe: prefix.utf8.count)
        guard let t = checker.probed, t != .any, t != .never else { return nil }
        return t
    }
}

/// A field or method a static type has.
public struct StaticMember: Sendable, Equatable {
    public let name: String
    /// Called (`.keys()`), not read (`.exitCode`).
    public let isMethod: Bool
}
