/// A declared name as the resolver sees it.
final class VarInfo {
    /// What kind of name it is, for error messages.
    enum Role { case variable, constant, function, parameter, loopVariable, caughtError, module }

    let name: String
    let isConst: Bool
    var role: Role
    let declRange: SourceRange
    var storage: Storage
    /// False until the resolver passes the declaration: a direct use before it is an error.
    var declared: Bool
    /// For `fn` declarations: what a call must pass, checked before the script runs.
    var signature: Signature?
    /// For `import ... as` names: the module's top-level names.
    var module: Module?

    init(name: String, isConst: Bool, declRange: SourceRange, storage: Storage, declared: Bool) {
        self.name = name
        self.isConst = isConst
        self.role = isConst ? .constant : .variable
        self.declRange = declRange
        self.storage = storage
        self.declared = declared
    }

    var slot: Int? {
        switch storage {
        case .local(let s), .cell(let s): return s
        case .global: return nil
        }
    }
}

/// The parameters a call is checked against.
struct Signature {
    let name: String
    let parameters: [(name: String, required: Bool, named: Bool)]
    let variadic: Bool

    init(function f: FunctionSyntax) {
        name = f.name ?? "fn"
        parameters = f.parameters.map { ($0.name, $0.defaultValue == nil, false) }
        variadic = false
    }

    init(builtin b: Builtin) {
        name = b.name
        parameters = b.parameters.filter { $0.kind != .variadic }.map { ($0.name, $0.defaultValue == nil, $0.kind == .named) }
        variadic = b.parameters.contains { $0.kind == .variadic }
    }

    /// Why a call with these arguments would fail, or nil when it fits.
    func problem(positional: Int, labels: [String]) -> String? {
        for l in labels where !parameters.contains(where: { $0.name == l }) {
            let hint = suggestion(for: l, among: parameters.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            return "\(name)() has no parameter named '\(l)'\(hint)"
        }
        let positionalParams = parameters.filter { !$0.named }
        if !variadic, positional > positionalParams.count {
            return "\(name)() takes at most \(positionalParams.count) positional argument\(positionalParams.count == 1 ? "" : "s"), got \(positional)"
        }
        for (i, p) in positionalParams.enumerated() where labels.contains(p.name) && i < positional {
            return "\(name)() got '\(p.name)' both by position and by name"
        }
        for p in parameters where p.required {
            let byPosition = !p.named && (positionalParams.firstIndex { $0.name == p.name } ?? Int.max) < positional
            if !byPosition, !labels.contains(p.name) {
                return "\(name)() is missing argument '\(p.name)'"
            }
        }
        return nil
    }
}

/// One function being compiled (the script's top level is one too): its blocks of names,
/// its slot counter and the variables it captures from enclosing functions.
final class FunctionScope {
    let parent: FunctionScope?
    let isTop: Bool
    var blocks: [[String: VarInfo]] = [[:]]
    var nextSlot = 0
    var loopDepth = 0
    /// Captured names: the slot in this frame and the slot in the parent's frame it comes from.
    var captures: [(name: String, slot: Int, from: Int)] = []

    init(parent: FunctionScope?, isTop: Bool) {
        self.parent = parent
        self.isTop = isTop
    }

    func newSlot() -> Int {
        defer { nextSlot += 1 }
        return nextSlot
    }

    func lookupLocal(_ name: String) -> VarInfo? {
        for block in blocks.reversed() { if let v = block[name] { return v } }
        return nil
    }
}
