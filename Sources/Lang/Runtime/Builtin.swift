/// A function the host gives the language: its name, parameters, a doc string for
/// `help(name)`, and a body that may be async and may throw a catchable `ScriptError`.
public final class Builtin: @unchecked Sendable {
    public let name: String
    public let parameters: [BuiltinParameter]
    public let doc: String
    let body: Body

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
    }

    /// An asynchronous built-in, for work such as network calls.
    public init(_ name: String, _ parameters: [BuiltinParameter] = [], doc: String,
                async body: @escaping @Sendable (Arguments) async throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
        self.body = .async(body)
    }

    /// `name(a, b = 1, *rest, c:)` as `help` shows it.
    public var signature: String {
        let ps = parameters.map { p -> String in
            switch p.kind {
            case .variadic: return "\(p.name)..."
            case .named: return p.defaultValue.map { "\(p.name): \($0.repr)" } ?? "\(p.name):"
            case .positional: return p.defaultValue.map { "\(p.name) = \($0.repr)" } ?? p.name
            }
        }
        return "\(name)(\(ps.joined(separator: ", ")))"
    }
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

    public init(_ name: String, _ kind: Kind = .positional, default defaultValue: Value? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }

    /// An optional parameter, `nil` when not given.
    public static func optional(_ name: String, _ kind: Kind = .positional) -> BuiltinParameter {
        BuiltinParameter(name, kind, default: .nil)
    }
}

/// The bound arguments of a built-in call, one value per parameter in declaration order
/// (a variadic parameter holds a List).
public struct Arguments: @unchecked Sendable {
    public let builtin: String
    public var values: [Value]
    let names: [String]
    /// Which parameters the caller actually gave, so a built-in can tell "absent" from a default.
    public let given: [Bool]

    public subscript(_ i: Int) -> Value { values[i] }

    public subscript(_ name: String) -> Value {
        guard let i = names.firstIndex(of: name) else { return .nil }
        return values[i]
    }

    /// Whether the caller passed this parameter.
    public func isGiven(_ name: String) -> Bool {
        guard let i = names.firstIndex(of: name) else { return false }
        return given[i]
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
