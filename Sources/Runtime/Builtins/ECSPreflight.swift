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
            let path = try args.optionalString("path") ?? "ecspresso.yml"
            let d: RunDefaults
            do {
                d = try RunDefaults(configFile: session.resolvePath(path), environment: session.options.environment,
                                    extStr: session.options.extStr)
            } catch {
                throw ScriptErrors.convert(error, builtin: "config")
            }
            call.context.values[defaultsKey] = d
            return StaticArgument(type: .shapedMap("Config"), fact: d)
        }
    }

    static func register(_ session: ECSSession) -> Preflight {
        { call in
            let definition: Value
            do {
                switch call["definition"]?.constant {
                case nil where call.isGiven("definition"): return nil
                case nil, .nil?:
                    guard let path = defaults(call, session).taskDefinitionPath else { return nil }
                    definition = try TaskDefinitions.load(file: path, session: session)
                case .string(let path)?: definition = try TaskDefinitions.load(file: path, session: session)
                case let v?: definition = v
                }
            } catch {
                throw ScriptErrors.convert(error, builtin: "register")
            }
            return StaticArgument(type: .record("TaskDefinition"), fact: TaskDefinitions.local(definition))
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
            // Which of these apply decides the network checks: unknown, nothing is checked.
            for k in ["launchType", "capacityProviderStrategy", "networkConfiguration"] where call.isGiven(k) {
                if call[k]?.constant == nil { return nil }
            }
            var parameters = OrderedDictionary<String, Value>()
            for k in ECSBuiltins.runTaskParameters where k != "count" {
                if let c = call[k]?.constant { parameters[k] = c }
            }
            var count = 1
            if case .int(let n)? = call["count"]?.constant { count = n }
            var watch: String?
            if case .string(let w)? = call["watch"]?.constant { watch = w }
            let plan = RunPlan(parameters: parameters, count: count, watch: watch)
            let scratch = ECSSession(options: session.options, output: { _ in }) { _ in
                throw AWSSetupError("a check before the run makes no call")
            }
            scratch.setDefaults(defaults(call, session))
            _ = try plan.request(definition: definition, session: scratch)
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
