import Lang
import OrderedCollections

/// The checks `config()`, `register()`, `overrides()` and `run()` make before a script
/// runs, where what they need is known without a network call: a config file named by a
/// literal, a task definition read from a file or a Map literal, run parameters made of
/// literals. Each check is the one the call makes when it runs, so a script refused here
/// would have been refused there, after the steps before it had run.
enum ECSPreflight {
    /// The defaults `config()` set so far in the script being checked.
    private static let defaultsKey = "ecs.defaults"

    static func defaults(_ call: StaticCall, _ session: ECSSession) -> RunDefaults {
        call.context.values[defaultsKey] as? RunDefaults ?? session.defaults
    }

    static func config(_ session: ECSSession) -> Preflight {
        { call in
            guard let args = call.constantArguments() else { return nil }
            let path = try args.optionalString("path")
                ?? EcspressoConfig.discover(in: session.options.workingDirectory, files: call.context.host)
                ?? EcspressoConfig.defaultFileName
            let d: RunDefaults
            do {
                d = try OfflineChecks.config(path, options: session.options, files: call.context.host)
            } catch {
                throw ScriptErrors.convert(error, builtin: "config")
            }
            call.context.values[defaultsKey] = d
            return StaticArgument(type: .shapedMap("Config"), fact: d)
        }
    }

    static func register(_ session: ECSSession) -> Preflight {
        { call in
            let definition: TaskDefinitionDescription?
            do {
                switch call["definition"]?.constant {
                case nil where call.isGiven("definition"): return nil
                case nil, .nil?:
                    definition = try OfflineChecks.taskDefinition(config: defaults(call, session), options: session.options,
                                                                  files: call.context.host)
                case .string(let path)?:
                    definition = try OfflineChecks.taskDefinition(file: path, options: session.options,
                                                                  plugins: defaults(call, session).plugins, files: call.context.host)
                case let v?: definition = try OfflineChecks.taskDefinition(map: v)
                }
            } catch {
                throw ScriptErrors.convert(error, builtin: "register")
            }
            return definition.map { StaticArgument(type: .record("TaskDefinition"), fact: $0) }
        }
    }

    /// The container names an overrides() call names, where its other parts are not known.
    struct NamedContainers: Sendable { let names: [String] }

    static func overrides() -> Preflight {
        { call in
            if let args = call.constantArguments() {
                return StaticArgument(type: .shapedMap("Overrides"), constant: try OverridesBuiltin.build(args))
            }
            if case .string(let name)? = call["container"]?.constant {
                return StaticArgument(type: .shapedMap("Overrides"), fact: NamedContainers(names: [name]))
            }
            return nil
        }
    }

    static func run(_ session: ECSSession) -> Preflight {
        { call in
            guard let definition = call["taskdef"]?.fact as? TaskDefinitionDescription else { return nil }
            var arguments = OrderedDictionary<String, Value>()
            var unknown = Set<String>()
            for (name, argument) in call.arguments {
                if let c = argument.constant { arguments[name] = c } else { unknown.insert(name) }
            }
            try OfflineChecks.run(arguments: arguments, unknown: unknown, definition: definition,
                                  defaults: defaults(call, session), cluster: session.options.cluster)
            if let named = call["overrides"]?.fact as? NamedContainers {
                let have = definition.containerNames
                for name in named.names where !have.isEmpty && !have.contains(name) {
                    throw ScriptErrors.value("run", "overrides name container '\(name)', which task definition \(definition.family ?? "?") does not have (it has \(have.joined(separator: ", ")))")
                }
            }
            return nil
        }
    }
}
