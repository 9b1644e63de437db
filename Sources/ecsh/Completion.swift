import Lang

/// What Tab offers for the word before the cursor: keywords, built-ins and the
/// session's names; after `name.` (also `name?.` and chains like `t.containers.`), the
/// map keys, record fields and methods of that value.
///
/// Values are looked up, never computed: completion runs no code.
struct Completion {
    struct Match: Equatable {
        /// Replaces the whole word, so it keeps the word's `name.` part.
        let text: String
        /// Typed after the match when it is the only one: `(` after a function, a space
        /// after most keywords.
        let suffix: String
    }

    /// Readline ends a word at these; `.` and `?` are missing so `m.ke` and `x?.f` come
    /// whole, and so is `_`.
    static let wordBreakCharacters = " \t\n\"'`@$><=;|&{([,+-*/%!:)]}#^~\\"

    let interpreter: Interpreter

    /// Four spaces, offered by Tab at the start of a line: indentation, not a list of every name.
    static let indent = Match(text: "    ", suffix: "")

    /// Matches for `word`, the text before the cursor back to a word break; `before` is
    /// the line before that word.
    func matches(for word: String, after before: String = "") -> [Match] {
        if word.isEmpty && before.allSatisfy(\.isWhitespace) { return [Self.indent] }
        let (lead, chain) = Self.split(word)
        var parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let partial = parts.removeLast()
        // `x?.f`: the `?` belongs to the operator, not the name.
        let path = parts.map { $0.hasSuffix("?") ? String($0.dropLast()) : $0 }
        if let first = path.first?.first, first.isNumber { return [] } // a number like 1.5
        let found: [Match]
        if path.isEmpty {
            found = names()
        } else {
            guard let value = lookUp(path) else { return [] }
            found = members(of: value)
        }
        let prefix = lead + String(chain.dropLast(partial.count))
        var seen = Set<String>()
        return found
            .filter { $0.text.hasPrefix(partial) && seen.insert($0.text).inserted }
            .sorted { $0.text < $1.text }
            .map { Match(text: prefix + $0.text, suffix: $0.suffix) }
    }

    /// Splits a word into what stays as typed and the name chain to complete:
    /// `a??b` -> (`a??`, `b`), `0..le` -> (`0..`, `le`), `x?.f` -> (``, `x?.f`).
    static func split(_ word: String) -> (lead: String, chain: String) {
        let chars = Array(word)
        var i = chars.count
        while i > 0 {
            let c = chars[i - 1]
            if isNameCharacter(c) {
                i -= 1
            } else if c == "." {
                if i >= 2, chars[i - 2] == "." { break } // a range `..`
                i -= 1
            } else if c == "?", i < chars.count, chars[i] == ".", i >= 2, isNameCharacter(chars[i - 2]) {
                i -= 1
            } else {
                break
            }
        }
        while i < chars.count, chars[i] == "." { i += 1 } // `..x`, or a leading dot
        return (String(chars[..<i]), String(chars[i...]))
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c == "_" || (c.isASCII && (c.isLetter || c.isNumber))
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.first, !f.isNumber else { return false }
        return s.allSatisfy(isNameCharacter)
    }

    private static let valueKeywords: Set<String> = ["true", "false", "nil"]

    private func names() -> [Match] {
        var out = Interpreter.keywords.map { Match(text: $0, suffix: Self.valueKeywords.contains($0) ? "" : " ") }
        for name in interpreter.globalNames {
            out.append(Match(text: name, suffix: interpreter.global(name).map(Self.suffix(for:)) ?? ""))
        }
        out += interpreter.builtins.keys.map { Match(text: $0, suffix: "(") }
        return out
    }

    /// Methods (first: they win over a map key of the same name, as in `m.keys`), then a
    /// map's keys that can follow a dot, or a record's fields.
    private func members(of value: Value) -> [Match] {
        var out = Interpreter.methodNames(of: value).map { Match(text: $0, suffix: "(") }
        switch value {
        case .map(let m):
            for (k, v) in m.entries where Self.isName(k) { out.append(Match(text: k, suffix: Self.suffix(for: v))) }
        case .record(let r):
            for (k, v) in r.fields { out.append(Match(text: k, suffix: Self.suffix(for: v))) }
            // A running task's final fields: completed, and reading them says to wait.
            for k in r.pendingFields.keys.sorted() { out.append(Match(text: k, suffix: "")) }
        default:
            break
        }
        return out
    }

    /// Follows `a.b.c` through globals, map keys and record fields.
    private func lookUp(_ path: [String]) -> Value? {
        guard let first = path.first, Self.isName(first), var value = interpreter.global(first) else { return nil }
        for key in path.dropFirst() {
            switch value {
            case .map(let m) where !Interpreter.methodNames(of: value).contains(key):
                guard let v = m.entries[key] else { return nil }
                value = v
            case .record(let r):
                guard let v = r.fields[key] else { return nil }
                value = v
            default:
                return nil
            }
        }
        return value
    }

    private static func suffix(for value: Value) -> String {
        switch value {
        case .function, .builtin: return "("
        default: return ""
        }
    }
}
