/// The VM's instruction set. Operands are frame registers (locals first, then the
/// temporaries the compiler allocates), immediates, jump targets or indexes into a
/// `Code`'s side tables.
enum Op: UInt8 {
    /// a = constants[b]
    case const
    /// a = b (a copy)
    case copy
    /// a = b, leaving b nil (b is a temporary): a String or List keeps one owner.
    case move
    /// a = nil
    case setNil
    /// a = global b (NameError when it has no value yet)
    case getGlobal
    /// global b = a, where the global was declared (SetGlobal); d is the operator or -1.
    case setGlobal
    /// global b = a: a declaration.
    case defineGlobal
    /// a = the value of the cell in slot b; c names the variable (constants[c]).
    case getCell
    /// slot a = a fresh cell with b (or fills the cell a closure captured ahead).
    case declareCell
    /// a = exprs[b] evaluated by the tree (a < 0: the value is dropped).
    case evalExpr
    /// Runs stmts[b] by the tree; c and d are the enclosing loop's break and continue targets.
    case execStmt
    case jump
    /// Jumps to b when a is false; c says which operand an error names (`BoolUse`).
    case jumpIfFalse
    /// Jumps to b when a is true (`or`).
    case jumpIfTrue
    /// Errors unless a is a Bool (the right operand of `and`/`or`).
    case checkBool
    /// Jumps to b unless a is nil (`??`).
    case jumpIfNotNil
    /// a = not b
    case not
    /// a = -b
    case negate
    /// a = b <op d> c
    case binary
    /// a = b + c, a = b - c, ... with the Int case inline.
    case add, sub, lt, le, gt, ge, eq, ne
    /// a = b <op d> the immediate c
    case binaryK
    /// Jumps to c unless `a <op d> immediate b` holds.
    case compareKJump
    /// Jumps to c unless `a <op d> b` holds.
    case compareJump
    /// slot a op= register b (d is the operator), in place.
    case compoundLocal
    /// a = call register b with c..c+d (a < 0: dropped)
    case call
    /// a = call global e with c..c+d
    case callGlobal
    case ret
    case retNil
    /// Prepares a `for`: a = the iterable's register (kept for the loop), b = a counter,
    /// c = the bound; e tells whether there is a second variable.
    case forPrep
    /// Next turn of a `for`: binds the variable (slot d, or bindings[-d - 1]) and jumps back
    /// to the body at e; falls through when the loop is over.
    case forNext
    /// One loop turn: Ctrl-C and the step limit.
    case step
    /// Prints register a when it is not nil (the REPL's echo).
    case echo
    /// a = call register b with c..c+d named by labels[x]; e is the callee's range.
    case callNamed
    /// a = method constants[x] of register b with c..c+d, named by labels[e] (e < 0: none).
    case callMethod
    /// a = b[c]
    case index
    /// a = b.constants[x] (a field or map key)
    case field
    /// a = [c..c+d]
    case makeList
    /// a = b..c (d = 1: b..=c)
    case makeRange
    /// Appends register b's text to the String in register a (string interpolation).
    case appendText
    /// Starts a `try` whose handler is at a; the error goes to bindings[b] (b < 0: nowhere).
    case tryBegin
    /// Ends the innermost `try` body normally.
    case tryEnd
    /// `xs.append(v)` on a local List: a = slot, b = value.
    case appendLocal
    /// `xs.append(v)` on a module-level List: a = global, b = value.
    case appendGlobal
    /// Fails unless register a holds a String: a map literal's key, checked before its
    /// value is evaluated.
    case checkKey
    /// a = the Map of the pairs in c..c+2d: each key (a String, checked) then its value.
    case makeMap
    /// Runs stmts[b], an assignment into an element or a field (`a[i] = v`, `m.k += v`),
    /// of the value in register a: the value is computed by the VM (its calls in VM frames),
    /// the target's path by the tree. With c = 1, exprs[b] instead: `xs.append(v)` on an
    /// element or a field (`m.k.append(v)`).
    case assignFrom
}

/// Which operand a non-Bool value was given as.
enum BoolUse: Int32 {
    case condition, andOperand, orOperand

    var text: String {
        switch self {
        case .condition: return "condition"
        case .andOperand: return "an operand of 'and'"
        case .orOperand: return "an operand of 'or'"
        }
    }
}

/// One instruction; `r` indexes the code's line table (`Code.ranges`).
struct Instr {
    var op: Op
    var a: Int32 = 0
    var b: Int32 = 0
    var c: Int32 = 0
    var d: Int32 = 0
    var e: Int32 = 0
    var r: Int32 = 0
    /// A call's labels (`Code.labels`) or a method's name (constants).
    var x: Int32 = 0
}

/// Where a `for` loop binds a variable.
enum Binding {
    case local(Int)
    case cell(Int)
    case global(GlobalStore, Int)

    init(_ s: Storage) {
        switch s {
        case .local(let k): self = .local(k)
        case .cell(let k): self = .cell(k)
        case .global(let g, let i): self = .global(g, i)
        }
    }
}

/// A global the code reads or writes. The store is kept alive by the `Code`, so reading
/// through the reference costs no reference counting.
struct GlobalRef {
    let store: Unmanaged<GlobalStore>
    let index: Int
    @inline(__always) var pointer: UnsafeMutablePointer<Value?> { store._withUnsafeGuaranteedRef { $0.pointer(index) } }
    @inline(__always) var isConstant: Bool { store._withUnsafeGuaranteedRef { $0.isConstant(index) } }
    var name: String { store._withUnsafeGuaranteedRef { $0.names[index] } }
}

/// What the dispatch loop reads of a `Code` on its hot paths: one word, pointing at the
/// code's `HotCode`, so a call record and the loop's state carry a pointer rather than six
/// words, and switching code on a call or return costs no reference counting. The `Code`
/// is kept alive by its function (or chunk) while it runs.
struct CodeHeader {
    let hot: UnsafePointer<HotCode>

    var instructions: UnsafeMutablePointer<Instr> { hot.pointee.instructions }
    var constants: UnsafeMutablePointer<Value> { hot.pointee.constants }
    var globals: UnsafeMutablePointer<GlobalRef> { hot.pointee.globals }
    var frameSize: Int { hot.pointee.frameSize }
    var localCount: Int { hot.pointee.localCount }
    var object: Unmanaged<Code> { hot.pointee.object }

    // The cold parts, read on error paths and for instructions the tree runs.
    var name: String { object._withUnsafeGuaranteedRef { $0.name } }
    var ranges: [SourceRange] { object._withUnsafeGuaranteedRef { $0.ranges } }
    var exprs: [ExprNode] { object._withUnsafeGuaranteedRef { $0.exprs } }
    var stmts: [StmtNode] { object._withUnsafeGuaranteedRef { $0.stmts } }
    var labels: [[String?]] { object._withUnsafeGuaranteedRef { $0.labels } }
    var bindings: [(Binding, Binding?)] { object._withUnsafeGuaranteedRef { $0.bindings } }
}

/// A `Code`'s hot parts as plain pointers and numbers, in memory the `Code` owns.
struct HotCode {
    let instructions: UnsafeMutablePointer<Instr>
    let constants: UnsafeMutablePointer<Value>
    let globals: UnsafeMutablePointer<GlobalRef>
    let frameSize: Int
    let localCount: Int
    let object: Unmanaged<Code>
}

/// Compiled bytecode for one function or chunk, with its side tables and line table.
final class Code {
    let name: String
    /// Locals plus temporaries.
    let frameSize: Int
    /// Registers at or above this are temporaries.
    let localCount: Int
    let instructions: UnsafeMutablePointer<Instr>
    let count: Int
    let constants: UnsafeMutablePointer<Value>
    let constantCount: Int
    let exprs: [ExprNode]
    let stmts: [StmtNode]
    /// The line table: each instruction's source range is `ranges[instr.r]`.
    let ranges: [SourceRange]
    let globals: UnsafeMutablePointer<GlobalRef>
    let globalCount: Int
    /// Loop variables a `for` binds other than one plain local: first and second.
    let bindings: [(Binding, Binding?)]
    /// The labels of calls that name arguments.
    let labels: [[String?]]
    /// Keeps the stores `globals` points into alive.
    private let stores: [GlobalStore]
    private let hot: UnsafeMutablePointer<HotCode>

    init(name: String, frameSize: Int, localCount: Int, instructions: [Instr], constants: [Value], exprs: [ExprNode],
         stmts: [StmtNode], ranges: [SourceRange], globals: [(GlobalStore, Int)], bindings: [(Binding, Binding?)], labels: [[String?]]) {
        self.name = name
        self.frameSize = frameSize
        self.localCount = localCount
        count = instructions.count
        self.instructions = .allocate(capacity: max(count, 1))
        self.instructions.initialize(from: instructions, count: count)
        constantCount = constants.count
        self.constants = .allocate(capacity: max(constants.count, 1))
        self.constants.initialize(from: constants, count: constants.count)
        self.exprs = exprs
        self.stmts = stmts
        self.ranges = ranges
        globalCount = globals.count
        self.globals = .allocate(capacity: max(globals.count, 1))
        for (k, g) in globals.enumerated() { (self.globals + k).initialize(to: GlobalRef(store: .passUnretained(g.0), index: g.1)) }
        stores = globals.map(\.0)
        self.bindings = bindings
        self.labels = labels
        hot = .allocate(capacity: 1)
        hot.initialize(to: HotCode(instructions: self.instructions, constants: self.constants, globals: self.globals,
                                   frameSize: frameSize, localCount: localCount, object: .passUnretained(self)))
    }

    /// The hot parts, for the dispatch loop.
    var header: CodeHeader { CodeHeader(hot: hot) }

    deinit {
        hot.deallocate()
        constants.deinitialize(count: constantCount)
        constants.deallocate()
        instructions.deinitialize(count: count)
        instructions.deallocate()
        globals.deinitialize(count: globalCount)
        globals.deallocate()
    }
}
