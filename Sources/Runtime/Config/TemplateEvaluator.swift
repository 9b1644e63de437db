/// A template function: takes the evaluated arguments, returns a value or throws.
/// An error thrown as ``TemplateFunctionError`` is reported as Go reports it
/// (`error calling NAME: ...`) at the call's position; ``TemplateLookupNeeded`` passes through
/// untouched so an async caller can fetch and render again.
public struct TemplateFunction: Sendable {
    /// Whether arguments are evaluated before the call (false for `and`/`or`, which short-circuit).
    let lazy: Bool
    let call: @Sendable ([TemplateValue]) throws -> TemplateValue
    let lazyCall: (@Sendable ([() throws -> TemplateValue]) throws -> TemplateValue)?

    public init(_ call: @escaping @Sendable ([TemplateValue]) throws -> TemplateValue) {
        self.lazy = false
        self.call = call
        self.lazyCall = nil
    }

    init(lazy: @escaping @Sendable ([() throws -> TemplateValue]) throws -> TemplateValue) {
        self.lazy = true
        self.call = { _ in .missing }
        self.lazyCall = lazy
    }
}

/// Why a template function failed, in the words after `error calling NAME: `.
public struct TemplateFunctionError: Error, Sendable {
    public var message: String
    /// The argument at fault (0-based), when the error is about one: reported at its position.
    public var argument: Int?
    public init(_ message: String, argument: Int? = nil) {
        self.message = message
        self.argument = argument
    }
}

/// A plugin function needs a value it has not fetched yet: the async caller fetches `key`
/// and renders again (the template itself is synchronous, as Go's is).
public struct TemplateLookupNeeded: Error, Sendable, Equatable {
    public var plugin: String
    public var key: String
    public init(plugin: String, key: String) {
        self.plugin = plugin
        self.key = key
    }
}

/// Runs a parsed template with Go's text/template semantics.
struct TemplateEvaluator {
    let functions: [String: TemplateFunction]
    let fail: (Int, String) -> ConfigError
    var out = ""
    var variables: [(String, TemplateValue)] = [("$", .missing)]

    init(functions: [String: TemplateFunction], fail: @escaping (Int, String) -> ConfigError) {
        self.functions = functions
        self.fail = fail
    }

    enum Control: Error { case breakLoop, continueLoop }

    mutating func run(_ nodes: [TemplateNode], dot: TemplateValue) throws {
        for node in nodes {
            switch node {
            case .text(let s):
                out += s
            case .action(let pipe):
                let value = try evaluate(pipe, dot: dot)
                // An action that declares a variable prints nothing.
                if pipe.variables.isEmpty { out += value.printed }
            case .branch(let kind, let pipe, let body, let elseBody):
                let mark = variables.count
                defer { variables.removeSubrange(mark...) }
                let value = try evaluate(pipe, dot: dot)
                if value.isTrue {
                    try run(body, dot: kind == .withBlock ? value : dot)
                } else if let elseBody {
                    try run(elseBody, dot: dot)
                }
            case .range(let pipe, let body, let elseBody):
                try range(pipe, body, elseBody, dot: dot)
            case .breakLoop:
                throw Control.breakLoop
            case .continueLoop:
                throw Control.continueLoop
            }
        }
    }

    mutating func range(_ pipe: TemplatePipe, _ body: [TemplateNode], _ elseBody: [TemplateNode]?, dot: TemplateValue) throws {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        var declared = pipe
        declared.variables = []
        let value = try evaluate(declared, dot: dot)
        var items: [(TemplateValue, TemplateValue)] = []
        switch value {
        case .list(let l): items = l.enumerated().map { (.int($0.offset), $0.element) }
        case .map(let m): items = m.keys.sorted().map { (.string($0), m[$0] ?? .missing) }
        case .int(let n): items = (0..<max(0, n)).map { (.int($0), .int($0)) }
        case .missing, .null: items = []
        default:
            throw fail(pipe.offset, "range can't iterate over \(value.printed)")
        }
        if items.isEmpty {
            if let elseBody { try run(elseBody, dot: dot) }
            return
        }
        for (key, element) in items {
            let inner = variables.count
            if pipe.variables.count == 1 { variables.append((pipe.variables[0], element)) }
            if pipe.variables.count == 2 {
                variables.append((pipe.variables[0], key))
                variables.append((pipe.variables[1], element))
            }
            do {
                try run(body, dot: element)
            } catch Control.breakLoop {
                variables.removeSubrange(inner...)
                break
            } catch Control.continueLoop {}
            variables.removeSubrange(inner...)
        }
    }

    mutating func evaluate(_ pipe: TemplatePipe, dot: TemplateValue) throws -> TemplateValue {
        var value: TemplateValue?
        for command in pipe.commands {
            value = try evaluate(command, final: value, dot: dot)
        }
        let result = value ?? .missing
        if pipe.isAssignment {
            for name in pipe.variables {
                if let i = variables.lastIndex(where: { $0.0 == name }) { variables[i].1 = result }
            }
        } else {
            for name in pipe.variables { variables.append((name, result)) }
        }
        return result
    }

    mutating func evaluate(_ command: TemplateCommand, final: TemplateValue?, dot: TemplateValue) throws -> TemplateValue {
        let first = command.arguments[0]
        if case .function(let name, let offset) = first {
            return try call(name, Array(command.arguments.dropFirst()), final: final, at: offset, dot: dot)
        }
        if command.arguments.count > 1 || final != nil {
            throw fail(command.offset, "can't give argument to non-function \(describe(first))")
        }
        if case .null(let offset) = first { throw fail(offset, "nil is not a command") }
        return try argument(first, dot: dot)
    }

    func describe(_ a: TemplateArgument) -> String {
        switch a {
        case .function(let n, _): return n
        case .dot: return "."
        case .field(let f, _): return "." + f.joined(separator: ".")
        case .variable(let n, let f, _): return ([n] + f).joined(separator: ".")
        case .constant(let v, _): return v.printed
        case .null: return "nil"
        case .pipe: return "(pipeline)"
        }
    }

    mutating func argument(_ a: TemplateArgument, dot: TemplateValue) throws -> TemplateValue {
        switch a {
        case .function(let name, let offset):
            return try call(name, [], final: nil, at: offset, dot: dot)
        case .dot:
            return dot
        case .field(let names, let offset):
            return try fields(names, of: dot, at: offset)
        case .variable(let name, let names, let offset):
            guard let found = variables.last(where: { $0.0 == name }) else {
                throw fail(offset, "undefined variable: \(name)")
            }
            return try fields(names, of: found.1, at: offset)
        case .constant(let v, _):
            return v
        case .null:
            return .null
        case .pipe(let pipe, let names):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            return try fields(names, of: try evaluate(pipe, dot: dot), at: pipe.offset)
        }
    }

    func fields(_ names: [String], of value: TemplateValue, at offset: Int) throws -> TemplateValue {
        var v = value
        for name in names {
            switch v {
            case .map(let m): v = m[name] ?? .missing
            case .missing, .null:
                // Go: a field of nil data is no value; of a nil pointer, an error.
                if case .null = v { throw fail(offset, "nil pointer evaluating interface {}.\(name)") }
                v = .missing
            default:
                throw fail(offset, "can't evaluate field \(name) in type \(v.typeName)")
            }
        }
        return v
    }

    mutating func call(_ name: String, _ arguments: [TemplateArgument], final: TemplateValue?, at offset: Int,
                       dot: TemplateValue) throws -> TemplateValue {
        guard let function = functions[name] else { throw fail(offset, "function \"\(name)\" not defined") }
        do {
            if function.lazy, let lazyCall = function.lazyCall {
                // `and`/`or` evaluate their arguments one by one, stopping as soon as the answer is known.
                var thunks: [() throws -> TemplateValue] = []
                let snapshot = self
                for a in arguments {
                    thunks.append {
                        var copy = snapshot
                        return try copy.argument(a, dot: dot)
                    }
                }
                if let final { thunks.append { final } }
                return try lazyCall(thunks)
            }
            var values: [TemplateValue] = []
            for a in arguments { values.append(try argument(a, dot: dot)) }
            if let final { values.append(final) }
            return try function.call(values)
        } catch let e as TemplateFunctionError {
            if let i = e.argument, i < arguments.count {
                // As Go: a value of the wrong type is reported where it is written.
                throw fail(arguments[i].offset, "wrong type for argument \(i + 1) of \(name): \(e.message)")
            }
            throw fail(offset, "error calling \(name): \(e.message)")
        }
    }
}
