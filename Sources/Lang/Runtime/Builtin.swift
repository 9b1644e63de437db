/// A function the host gives the language: its name, parameters, a doc string for
/// `help(name)`, and a body that may be async and may throw a catchable `ScriptError`.
public final class Builtin: @unchecked Sendable {
    public let name: String
    public let parameters: [BuiltinParameter]
    public let doc: String
    let body: Body
    /// Binds calls' arguments; its result type is not used.
    let binder: Signature
    /// The calls the binder need not see: arguments by position only, as many as these
    /// counts, bound one to one to the leading parameters (which take them by position).
    /// Binding a call through `binder` allocated several arrays; this costs none.
    let direct: ClosedRange<Int>?

    public enum Body: Sendable {
        /// Runs on the interpreter's thread; may call back into script functions.
        case sync(@Sendable (inout Arguments, CallContext) throws -> Value)
        /// Runs on Swift's concurrency pool while the interpreter waits; Ctrl-C cancels it.
        case async(@Sendable (Arguments) async throws -> Value)
    }

    /// A synchronous built-in.
    public init(_ name: String, _ parameters: [BuiltinParameter] = [], doc: String,
                body: @escaping @Sendable (inout Arguments, CallContext) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
        self.body = .sync(body)
        binder = Signature(name: name, parameters: parameters)
        direct = Self.directCounts(parameters)
    }

    /// An asynchronous built-in, for work such as network calls.
    public init(_ name: String, _ parameters: [BuiltinParameter] = [], doc: String,
                async body: @escaping @Sendable (Arguments) async throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
        self.body = .async(body)
        binder = Signature(name: name, parameters: parameters)
        direct = Self.directCounts(parameters)
    }

    /// What a call returns, for the checker: one type, or one decided by the call.
    public private(set) var result: BuiltinResult = .fixed(.any)
    /// A check the host makes of a call before the script runs (see ``Preflight``).
    public private(set) var preflight: Preflight?

    /// The counts of positional arguments a call binds one to one to the leading parameters,
    /// as `Signature.bind` would: no fewer than the last required parameter's position, no
    /// more than the leading parameters that take an argument by position.
    static func directCounts(_ parameters: [BuiltinParameter]) -> ClosedRange<Int>? {
        let leading = parameters.firstIndex { $0.kind != .positional } ?? parameters.count
        let required = (parameters.lastIndex { $0.kind != .variadic && $0.defaultValue == nil } ?? -1) + 1
        return required <= leading ? required...leading : nil
    }

    /// The same built-in, declaring what it returns.
    public func returning(_ type: ScriptType) -> Builtin { result = .fixed(type); return self }

    /// The same built-in, whose result type the call decides (`run()` without `count:`
    /// returns a Task, with it a List).
    public func returning(_ rule: @escaping @Sendable (StaticCall) -> ScriptType) -> Builtin {
        result = .rule(rule)
        return self
    }

    /// The same built-in, with a check of its calls made before the script runs.
    public func checked(_ check: @escaping Preflight) -> Builtin { preflight = check; return self }

    /// The signature model the checker and the binder share.
    public var signatureModel: Signature {
        if case .fixed(let t) = result { return Signature(name: name, parameters: parameters, result: t) }
        return Signature(name: name, parameters: parameters)
    }

    /// `run(taskdef: TaskDefinition | String, count: Int, ...) -> Task`, as `help` shows it.
    public var signature: String { signatureModel.text }
}

/// What a built-in returns, for the checker.
public enum BuiltinResult: Sendable {
    case fixed(ScriptType)
    case rule(@Sendable (StaticCall) -> ScriptType)
}

/// One parameter of a built-in.
public struct BuiltinParameter: Sendable {
    public enum Kind: Sendable {
        /// Given by position or by name.
        case positional
        /// Given by name only.
        case named
        /// Takes the remaining positional arguments as a List.
        case variadic
    }

    public let name: String
    public let kind: Kind
    /// `nil` means required. Optional parameters with no meaningful default use `.nil`.
    public let defaultValue: Value?
    /// What the argument must be; checked before the script runs where the argument's type
    /// is known, and when the call binds. A variadic parameter's type is each item's.
    public let type: ScriptType

    public init(_ name: String, _ kind: Kind = .positional, default defaultValue: Value? = nil, type: ScriptType = .any) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.type = type
    }

    /// An optional parameter, `nil` when not given.
    public static func optional(_ name: String, _ kind: Kind = .positional, type: ScriptType = .any) -> BuiltinParameter {
        BuiltinParameter(name, kind, default: .nil, type: type)
    }

    /// Whether a value fits the declared type (nil fits a parameter whose default is nil).
    func accepts(_ v: Value) -> Bool {
        if type == .any { return true }
        if v.isNil, defaultValue?.isNil == true { return true }
        return ScriptType(of: v).mayBe(type)
    }
}

/// The bound arguments of a built-in call, one value per parameter in declaration order
/// (a variadic parameter holds a List).
public struct Arguments: @unchecked Sendable {
    public let builtin: String
    public var values: [Value]
    /// The built-in's own array: the names, without a copy of them per call.
    let parameters: [BuiltinParameter]
    /// Which parameters the caller gave; nil for a call by position alone, which gave the
    /// first `givenCount`.
    private let givenFlags: [Bool]?
    private let givenCount: Int
    /// Set by the binder for an async built-in's call only: a synchronous one reads
    /// `CallContext.host`, and its calls do not pay for the copy.
    var callerHost: (any ScriptHost)?

    init(builtin: String, values: [Value], parameters: [BuiltinParameter], given: [Bool]) {
        self.builtin = builtin
        self.values = values
        self.parameters = parameters
        givenFlags = given
        givenCount = 0
    }

    /// A call that gave the first `count` parameters, by position.
    init(builtin: String, values: [Value], parameters: [BuiltinParameter], givenFirst count: Int) {
        self.builtin = builtin
        self.values = values
        self.parameters = parameters
        givenFlags = nil
        givenCount = count
    }

    /// Which parameters the caller actually gave, so a built-in can tell "absent" from a default.
    public var given: [Bool] { givenFlags ?? parameters.indices.map { $0 < givenCount } }

    public subscript(_ i: Int) -> Value { values[i] }

    /// For an async built-in: the host of the interpreter that made the call, which the files
    /// it reads for the script must come from (an empty `MemoryHost` outside a call).
    public var host: any ScriptHost { callerHost ?? MemoryHost() }

    public subscript(_ name: String) -> Value {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else { return .nil }
        return values[i]
    }

    /// Whether the caller passed this parameter.
    public func isGiven(_ name: String) -> Bool {
        guard let i = parameters.firstIndex(where: { $0.name == name }) else { return false }
        return givenFlags?[i] ?? (i < givenCount)
    }

    func typeError(_ name: String, _ expected: String, _ got: Value) -> ScriptError {
        ScriptError("\(builtin)(): '\(name)' must be \(expected), got \(got.typeName)", code: "TypeError")
    }

    public func string(_ name: String) throws -> String {
        guard case .string(let s) = self[name] else { throw typeError(name, "a String", self[name]) }
        return s
    }

    public func optionalString(_ name: String) throws -> String? {
        switch self[name] {
        case .nil: return nil
        case .string(let s): return s
        case let v: throw typeError(name, "a String", v)
        }
    }

    public func int(_ name: String) throws -> Int {
        guard case .int(let i) = self[name] else { throw typeError(name, "an Int", self[name]) }
        return i
    }

    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = self[name] else { throw typeError(name, "a Bool", self[name]) }
        return b
    }

    public func list(_ name: String) throws -> [Value] {
        guard case .list(let l) = self[name] else { throw typeError(name, "a List", self[name]) }
        return l
    }
}

/// Lets a synchronous built-in call script functions (for `map`, `filter`, `sort`).
public struct CallContext {
    let machine: Machine
    let range: SourceRange

    /// Calls a script function or built-in with positional arguments.
    public func call(_ function: Value, _ args: [Value]) throws -> Value {
        do {
            return try machine.callValue(function, args, at: range)
        } catch {
            throw UnwindBox(error)
        }
    }

    /// What `print` writes to.
    public var output: any OutputSink { machine.output }
}

/// Carries an interpreter unwind (an error, `exit()` or Ctrl-C) through a built-in's untyped `throws`.
struct UnwindBox: Error {
    let unwind: Unwind
    init(_ u: Unwind) { unwind = u }
}

/// A user-facing error raised by a built-in: catchable in scripts as an Error with
/// `.message` and `.code`.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The error's kind: an ECS exception name such as `ClusterNotFoundException`, or
    /// `TypeError`, `ValueError`, `Error` for language errors.
    public var code: String
    /// Extra fields the script can read on the caught error (for example `resourceIds`).
    public var details: [String: Value]

    public init(_ message: String, code: String = "Error", details: [String: Value] = [:]) {
        self.message = message
        self.code = code
        self.details = details
    }

    public var description: String { message }
}

/// Where `print` and `eprint` write. The command line writes to stdout and stderr; tests capture.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    func writeError(_ text: String)
    func flush()
}
