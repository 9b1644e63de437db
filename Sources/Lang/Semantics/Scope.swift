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
