/// A built-in call as the checker sees it before the script runs: what is known of each
/// given argument. A host's ``Preflight`` reads it to refuse a call that would fail.
public struct StaticCall: @unchecked Sendable {
    public let builtin: Builtin
    /// The given arguments, by parameter name (a variadic parameter's are not included).
    public let arguments: [String: StaticArgument]
    /// State of the host's for one check of one script.
    public let context: PreflightContext

    public func isGiven(_ name: String) -> Bool { arguments[name] != nil }

    public subscript(_ name: String) -> StaticArgument? { arguments[name] }

    /// The arguments as the built-in's body would get them, when every given one is known;
    /// nil otherwise.
    public func constantArguments() -> Arguments? {
        let params = builtin.parameters
        var values: [Value] = []
        var given: [Bool] = []
        for p in params {
            if p.kind == .variadic { return nil }
            if let a = arguments[p.name] {
                guard let c = a.constant else { return nil }
                values.append(c)
                given.append(true)
            } else {
                values.append(p.defaultValue ?? .nil)
                given.append(false)
            }
        }
        return Arguments(builtin: builtin.name, values: values, parameters: params, given: given)
    }
}

/// What the checker knows of one argument (or of any expression).
public struct StaticArgument: @unchecked Sendable {
    public var type: ScriptType
    /// The value itself, where it is a literal or made of literals.
    public var constant: Value?
    /// What a host's preflight said of the value that made it (a task definition read from
    /// a file, say).
    public var fact: (any Sendable)?

    public init(type: ScriptType, constant: Value? = nil, fact: (any Sendable)? = nil) {
        self.type = type
        self.constant = constant
        self.fact = fact
    }
}

/// A host's state across one check of one script: `config()` records the defaults that
/// later `run()` checks use. Made afresh for every check.
public final class PreflightContext: @unchecked Sendable {
    /// The host's own entries.
    public var values: [String: any Sendable] = [:]
    /// The checked file's path, for paths relative to it; nil for the REPL and `-e`.
    public let file: String?
    /// The interpreter's host: a check reads the files the call would read from it.
    public let host: any ScriptHost

    public init(file: String?, host: any ScriptHost) {
        self.file = file
        self.host = host
    }
}

/// A host check of a built-in call made before anything runs. Throw a `ScriptError` to
/// refuse the call (it is reported at the call, as an error of the script); return what
/// the call is known to give, or nil.
public typealias Preflight = @Sendable (StaticCall) throws -> StaticArgument?
