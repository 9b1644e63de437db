/// What a function takes: its parameters with their kinds, defaults and types, and what
/// it returns. The one binder of arguments to parameters: the checker uses it before a
/// script runs, and calls of built-ins and of script functions use it at run time, so a
/// call is refused the same way, with the same words, wherever that is found.
public struct Signature: Sendable {
    public let name: String
    public let parameters: [BuiltinParameter]
    public let result: ScriptType

    public init(name: String, parameters: [BuiltinParameter], result: ScriptType = .any) {
        self.name = name
        self.parameters = parameters
        self.result = result
    }

    init(function f: FunctionSyntax) {
        name = f.name ?? "fn"
        parameters = f.parameters.map { BuiltinParameter($0.name, default: $0.defaultValue == nil ? nil : .nil) }
        result = .any
    }

    init(proto p: FunctionProto) {
        name = p.name
        parameters = zip(p.parameterNames, p.defaults).map { BuiltinParameter($0, default: $1 == nil ? nil : .nil) }
        result = .any
    }

    /// Where each argument goes: the index of its parameter, or nil for a variadic one.
    public typealias Binding = [Int?]

    /// Why a call cannot bind, in the words every caller reports.
    public enum Problem: Error, Sendable, Equatable {
        case unknownLabel(String, hint: String?)
        case tooManyPositional(max: Int, given: Int)
        case twice(String)
        case byPositionAndName(String)
        case missing(String)
    }

    /// Binds a call's `count` arguments (`labels[i]` nil for a positional one; `labels`
    /// nil when none is named) to parameters.
    public func bind(count: Int, labels: [String?]?) -> Result<Binding, Problem> {
        bind(labels ?? [String?](repeating: nil, count: count))
    }

    /// Binds a call's arguments (`labels[i]` nil for a positional one) to parameters.
    public func bind(_ labels: [String?]) -> Result<Binding, Problem> {
        var binding: Binding = []
        binding.reserveCapacity(labels.count)
        var bound = [Bool](repeating: false, count: parameters.count)
        var byPosition = [Bool](repeating: false, count: parameters.count)
        var position = 0
        let positionalCount = labels.filter { $0 == nil }.count
        for label in labels {
            if let label {
                guard let k = parameters.firstIndex(where: { $0.name == label && $0.kind != .variadic }) else {
                    let names = parameters.filter { $0.kind != .variadic }.map(\.name)
                    return .failure(.unknownLabel(label, hint: suggestion(for: label, among: names)))
                }
                if bound[k] { return .failure(byPosition[k] ? .byPositionAndName(label) : .twice(label)) }
                bound[k] = true
                binding.append(k)
            } else {
                while position < parameters.count, parameters[position].kind == .named { position += 1 }
                guard position < parameters.count else {
                    return .failure(.tooManyPositional(max: parameters.filter { $0.kind == .positional }.count, given: positionalCount))
                }
                if parameters[position].kind == .variadic {
                    binding.append(nil)
                } else {
                    bound[position] = true
                    byPosition[position] = true
                    binding.append(position)
                    position += 1
                }
            }
        }
        for (k, p) in parameters.enumerated() where !bound[k] && p.kind != .variadic && p.defaultValue == nil {
            return .failure(.missing(p.name))
        }
        return .success(binding)
    }

    /// The problem as a message: `run() has no parameter named 'x' (did you mean 'y'?)`.
    public func message(_ problem: Problem) -> String {
        switch problem {
        case .unknownLabel(let l, let hint):
            return "\(name)() has no parameter named '\(l)'" + (hint.map { " (did you mean '\($0)'?)" } ?? "")
        case .tooManyPositional(let max, let given):
            return "\(name)() takes at most \(max) positional argument\(max == 1 ? "" : "s"), got \(given)"
        case .twice(let l): return "\(name)() got '\(l)' twice"
        case .byPositionAndName(let l): return "\(name)() got '\(l)' both by position and by name"
        case .missing(let p): return "\(name)() is missing argument '\(p)'"
        }
    }

    /// `run(taskdef: TaskDefinition | String, count: Int?, ...) -> Task`, as `help` shows it.
    public var text: String {
        let ps = parameters.map { p -> String in
            // A parameter that may be left out as nil takes nil too.
            let declared = p.defaultValue?.isNil == true ? ScriptType.optional(p.type) : p.type
            let type = p.type == .any ? "" : ": \(declared)"
            switch p.kind {
            case .variadic: return "\(p.name)...\(type)"
            case .named:
                let d = p.defaultValue.map { $0.isNil ? "" : (p.type == .any ? " \($0.repr)" : " = \($0.repr)") } ?? ""
                return "\(p.name):\(p.type == .any ? "" : " \(declared)")\(d)"
            case .positional:
                let d = p.defaultValue.map { $0.isNil ? " = nil" : " = \($0.repr)" } ?? ""
                return "\(p.name)\(type)\(d)"
            }
        }
        let r = result == .any ? "" : " -> \(result)"
        return "\(name)(\(ps.joined(separator: ", ")))\(r)"
    }
}
