/// What an editor asks of one version of a document, answered from the same parser,
/// checker, signatures, record schemas and method tables `ecsh check` uses.
public struct DocumentAnalysis {
    /// Something that may be written at a place.
    public struct Completion: Sendable, Equatable {
        public enum Kind: Sendable { case keyword, function, variable, field, method, parameter, module }
        public let label: String
        public let kind: Kind
        /// A signature or a type, shown beside the label.
        public let detail: String?
    }

    /// A declaration of the document, for its outline.
    public struct Symbol: Sendable {
        public enum Kind: Sendable { case function, constant, variable, module }
        public let name: String
        public let kind: Kind
        public let range: SourceRange
        public let selectionRange: SourceRange
        public let children: [Symbol]
    }

    private let interpreter: Interpreter
    public let file: SourceFile
    private let text: [UInt8]

    public init(interpreter: Interpreter, file: SourceFile) {
        self.interpreter = interpreter
        self.file = file
        text = file.bytes
    }

    /// Every problem `ecsh check` reports for the document.
    public func diagnostics() -> [Diagnostic] { interpreter.check(file) }

    // MARK: words at a place

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// The start of the word that ends at `offset` (the part typed so far).
    private func wordStart(before offset: Int) -> Int {
        var i = min(offset, text.count)
        while i > 0, Self.isWordByte(text[i - 1]) { i -= 1 }
        return i
    }

    /// The whole word around `offset`, with its range.
    private func word(at offset: Int) -> (String, Int, Int)? {
        let start = wordStart(before: offset)
        var end = min(offset, text.count)
        while end < text.count, Self.isWordByte(text[end]) { end += 1 }
        guard end > start else { return nil }
        return (String(decoding: text[start..<end], as: UTF8.self), start, end)
    }

    /// The text parsed; while it has a syntax error (it is being typed), the line of the
    /// first error is blanked out, keeping every offset, and it is parsed again.
    private func parsed(_ original: [UInt8]) -> (SourceFile, [Stmt])? {
        var bytes = original
        for _ in 0..<8 {
            let f = SourceFile(name: file.name, bytes: bytes)
            let p = Parser.parse(f)
            guard let first = p.diagnostics.first else { return (f, p.statements) }
            guard let r = first.range else { return nil }
            var start = min(r.start, bytes.count), end = start
            while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if (start..<end).allSatisfy({ bytes[$0] == 0x20 }) { return nil }
            for i in start..<end { bytes[i] = 0x20 }
        }
        return nil
    }

    /// The document with `replacement` in place of `start..<end`, parsed.
    private func patched(_ start: Int, _ end: Int, _ replacement: String) -> (SourceFile, [Stmt])? {
        parsed(Array(text[..<start]) + Array(replacement.utf8) + Array(text[end...]))
    }

    // MARK: completion

    /// What may be written at `offset`: after a dot, the fields and methods of the value's
    /// type; inside a call's parentheses, its named arguments too; else names in scope,
    /// built-ins and keywords.
    public func completions(at offset: Int) -> [Completion] {
        let offset = min(max(0, offset), text.count)
        let start = wordStart(before: offset)
        if start > 0, text[start - 1] == UInt8(ascii: ".") {
            return members(receiverEndingAt: start - 1, nameAt: start, replacing: offset)
        }
        var out = namedArguments(at: start)
        let names = visibleNames(at: start)
        out += names
        let taken = Set(out.map(\.label))
        for b in interpreter.builtins.values.sorted(by: { $0.name < $1.name }) where !taken.contains(b.name) {
            out.append(Completion(label: b.name, kind: .function, detail: b.signature))
        }
        out += Interpreter.keywords.map { Completion(label: $0, kind: .keyword, detail: nil) }
        return out
    }

    private static let placeholder = "__ecsh_completion__"

    private func members(receiverEndingAt dot: Int, nameAt start: Int, replacing end: Int) -> [Completion] {
        guard let type = probedType(at: start, replacing: end) else { return [] }
        return Self.members(of: type, schemas: interpreter.schemas)
    }

    /// The type of the value before the dot whose member name starts at `start`.
    private func probedType(at start: Int, replacing end: Int) -> ScriptType? {
        // The member being typed is replaced by a placeholder, so `t.` parses.
        guard let (f, stmts) = patched(start, end, Self.placeholder) else { return nil }
        let env = TypeChecker.Environment(builtins: interpreter.builtins, schemas: interpreter.schemas)
        let checker = TypeChecker.settle(stmts, file: f, env: env, probe: start)
        return checker.probed
    }

    static func members(of type: ScriptType, schemas: [String: RecordSchema]) -> [Completion] {
        TypeMembers.of(type, schemas: schemas).map { Completion(label: $0.name, kind: $0.isMethod ? .method : .field, detail: $0.detail) }
    }

    /// Inside `f(a, |`: the named parameters of the function called.
    private func namedArguments(at offset: Int) -> [Completion] {
        var depth = 0
        var i = offset - 1
        while i >= 0 {
            switch text[i] {
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"): depth += 1
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth == 0 { return [] }
                depth -= 1
            case UInt8(ascii: "("):
                if depth > 0 { depth -= 1; break }
                var end = i
                while end > 0, text[end - 1] == UInt8(ascii: " ") { end -= 1 }
                var s = end
                while s > 0, Self.isWordByte(text[s - 1]) { s -= 1 }
                guard s < end else { return [] }
                let callee = String(decoding: text[s..<end], as: UTF8.self)
                // A method (`xs.sort(`) takes its table's parameters.
                if s > 0, text[s - 1] == UInt8(ascii: ".") { return [] }
                if let b = interpreter.builtins[callee], index()?.declaration(of: callee, at: s) == nil {
                    return b.parameters.filter { $0.kind != .variadic }
                        .map { Completion(label: $0.name + ":", kind: .parameter, detail: $0.type == .any ? nil : "\($0.type)") }
                }
                if let d = index()?.declaration(of: callee, at: s), d.kind == .function {
                    return d.parameters.map { Completion(label: $0 + ":", kind: .parameter, detail: nil) }
                }
                return []
            case UInt8(ascii: "\n") where depth == 0:
                // Newlines inside parentheses continue the call; at depth 0 they may not.
                break
            default: break
            }
            i -= 1
        }
        return []
    }

    private func index() -> DocumentIndex? {
        if let (_, stmts) = parsed(text) { return DocumentIndex(stmts, length: text.count) }
        return nil
    }

    /// Names declared where `offset` can see them (the document need not parse as it is:
    /// the word being typed is left out first).
    private func visibleNames(at offset: Int) -> [Completion] {
        let end = word(at: offset)?.2 ?? offset
        guard let (_, stmts) = parsed(text) ?? patched(offset, end, "") else { return declaredByScan() }
        let index = DocumentIndex(stmts, length: text.count)
        var seen = Set<String>()
        return index.visible(at: offset).filter { seen.insert($0.name).inserted }.map { d in
            switch d.kind {
            case .function: return Completion(label: d.name, kind: .function, detail: "fn \(d.name)(\(d.parameters.joined(separator: ", ")))")
            case .module: return Completion(label: d.name, kind: .module, detail: "module")
            default: return Completion(label: d.name, kind: .variable, detail: nil)
            }
        }
    }

    /// Names after `let`, `var` and `fn` anywhere, for a document that does not parse.
    private func declaredByScan() -> [Completion] {
        let words = String(decoding: text, as: UTF8.self).split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
        var out: [Completion] = []
        var seen = Set<String>()
        for (i, w) in words.enumerated().dropLast() where ["let", "var", "fn"].contains(w) {
            let name = String(words[i + 1])
            if seen.insert(name).inserted, !Interpreter.keywords.contains(name) {
                out.append(Completion(label: name, kind: w == "fn" ? .function : .variable, detail: nil))
            }
        }
        return out
    }

    // MARK: hover and definition

    /// What the word at `offset` is: a built-in's signature and doc, a field's type and doc,
    /// a method's signature, a function of the document.
    public func hover(at offset: Int) -> String? {
        guard let (name, start, end) = word(at: offset) else { return nil }
        if start > 0, text[start - 1] == UInt8(ascii: ".") {
            guard let type = probedType(at: start, replacing: end) else { return nil }
            for m in type.members {
                switch m {
                case .record(let s), .shapedMap(let s):
                    if let f = interpreter.schemas[s]?.field(name) { return "\(s).\(name): \(f.type)\n\n\(f.doc)" }
                case .pendingTask:
                    if let f = interpreter.schemas["Task"]?.field(name) { return "Task.\(name): \(f.type)\n\n\(f.doc)" }
                default:
                    if let method = MethodTable.lookup(name, on: m) {
                        return "\(m.runtimeName ?? m.description).\(method.signature.text)\n\n\(method.doc)"
                    }
                }
            }
            return nil
        }
        let index = self.index()
        if let d = index?.declaration(of: name, at: start) {
            switch d.kind {
            case .function: return "fn \(name)(\(d.parameters.joined(separator: ", ")))"
            case .module: return "module \(name)"
            case .constant: return "let \(name)"
            case .variable: return "var \(name)"
            case .parameter: return "parameter \(name)"
            case .loopVariable: return "loop variable \(name)"
            case .caughtError: return "\(name): Error (the caught error)"
            }
        }
        if let b = interpreter.builtins[name] { return "\(b.signature)\n\n\(b.doc)" }
        if Interpreter.keywords.contains(name) { return "keyword \(name)" }
        return nil
    }

    /// Where the name at `offset` is declared in the document.
    public func definition(at offset: Int) -> SourceRange? {
        guard let (name, start, _) = word(at: offset) else { return nil }
        if start > 0, text[start - 1] == UInt8(ascii: ".") { return nil }
        guard let d = index()?.declaration(of: name, at: start) else { return nil }
        return SourceRange(file: file, start: d.nameRange.start, end: d.nameRange.end)
    }

    // MARK: outline

    /// The document's functions, constants, variables and imports, with the declarations
    /// inside each function as its children.
    public func symbols() -> [Symbol] {
        guard let index = index() else { return [] }
        let ds = index.declarations
        func symbol(_ i: Int) -> Symbol? {
            let d = ds[i]
            let kind: Symbol.Kind
            switch d.kind {
            case .function: kind = .function
            case .constant: kind = .constant
            case .variable: kind = .variable
            case .module: kind = .module
            default: return nil
            }
            let children = ds.indices.filter { ds[$0].parent == i }.compactMap(symbol)
            return Symbol(name: d.name, kind: kind, range: SourceRange(file: file, start: d.range.start, end: d.range.end),
                          selectionRange: SourceRange(file: file, start: d.nameRange.start, end: d.nameRange.end),
                          children: children)
        }
        return ds.indices.filter { ds[$0].parent == nil }.compactMap(symbol)
    }
}
