extension Interpreter {
    /// True when `text` is a whole entry whose last statement is an `if` (or `else if`)
    /// without a final `else`. Scripts let `else` start the line after the `}`, so the REPL
    /// reads one more line to see whether it does.
    public static func mayContinueWithElse(_ text: String) -> Bool {
        guard text.reversed().first(where: { !$0.isWhitespace }) == "}" else { return false }
        let parsed = Parser.parse(SourceFile(name: "<repl>", text: text))
        guard parsed.diagnostics.isEmpty, var last = parsed.statements.last else { return false }
        while case .if(_, _, let otherwise, _) = last {
            guard let otherwise else { return true }
            guard otherwise.count == 1, let next = otherwise.first, case .if = next else { return false }
            last = next
        }
        return false
    }

    /// True when a line starts with the keyword `else`.
    public static func startsWithElse(_ line: String) -> Bool {
        let rest = line.drop(while: \.isWhitespace)
        guard rest.hasPrefix("else") else { return false }
        let after = rest.dropFirst(4).first
        return after.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
    }
}
