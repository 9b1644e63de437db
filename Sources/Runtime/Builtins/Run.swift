import Foundation
import Lang
import OrderedCollections

/// `run(taskdef, ...)`: RunTask with every parameter by its API name, checked first.
/// The checks, the launch and the wait are ``RunPlan``'s, shared with `ecsh run`.
enum RunBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        let params = [BuiltinParameter("taskdef", type: .union([.record("TaskDefinition"), .string]))]
            + (ECSBuiltins.runTaskParameters + ["wait", "timeout", "logs", "watch", "stopOnInterrupt", "launchTimeout"])
                .map { BuiltinParameter.optional($0, .named, type: parameterTypes[$0] ?? .any) }
        return ECSBuiltins.builtin("run", params,
            "RunTask with every RunTask parameter by name, plus wait:, timeout:, logs: (true or \"all\"), watch:, stopOnInterrupt:, launchTimeout: (how long tasks that find no room are tried again, 10m; 0s: not at all). Returns a Task; a List of Tasks whenever count: is given.") { args in
            let wait = try Flags.bool(args, "wait", builtin: "run")
            let logs = try LogSelection(script: args["logs"], builtin: "run")
            if !wait, args.isGiven("timeout") || args.isGiven("logs") {
                throw ScriptErrors.value("run", "'timeout' and 'logs' apply only with wait: true")
            }
            let timeout = try Timeouts.parse(args["timeout"], builtin: "run")
            let definition = try await TaskDefinitions.resolve(args["taskdef"], session: session, builtin: "run")
            var plan = try plan(args, wait: wait, logs: logs, timeout: timeout)
            plan.stopOnInterrupt = try Flags.bool(args, "stopOnInterrupt", builtin: "run")
            plan.launchTimeout = try launchTimeout(args["launchTimeout"])
            let outcome = try await plan.execute(definition: definition, session: session)
            if let timedOut = outcome.timeout { throw timedOut }
            let records = outcome.tasks.map(TaskRecord.make)
            // The call decides the type, not the value of count: a List whenever count: is given.
            return args.isGiven("count") || records.count != 1 ? .list(records) : records[0]
        }
        .returning { call in
            // Without wait: true the tasks are returned as launched, still running.
            var task = ScriptType.task
            if let wait = call["wait"] {
                if case .bool(false)? = wait.constant { task = .pendingTask }
            } else {
                task = .pendingTask
            }
            return call.isGiven("count") ? .list(task) : task
        }
    }

    /// The types run() takes, by parameter name (the rest take any value the API does).
    static let parameterTypes: [String: ScriptType] = [
        "cluster": .string, "count": .int, "launchType": .string, "capacityProviderStrategy": .list(.any),
        "networkConfiguration": .map(.any), "overrides": .map(.any), "platformVersion": .string, "propagateTags": .string,
        "referenceId": .string, "startedBy": .string, "group": .string, "placementConstraints": .list(.any),
        "placementStrategy": .list(.any), "tags": .union([.map(.any), .list(.any)]), "enableECSManagedTags": .bool,
        "enableExecuteCommand": .bool, "clientToken": .string, "volumeConfigurations": .list(.any),
        "wait": .bool, "timeout": .union([.duration, .int, .float]), "logs": .union([.bool, .string]), "watch": .string,
        "stopOnInterrupt": .bool, "launchTimeout": .union([.duration, .int, .float]),
    ]

    /// The script's arguments as a plan: the given RunTask parameters by name.
    static func plan(_ args: Arguments, wait: Bool, logs: LogSelection?, timeout: Duration?) throws -> RunPlan {
        var parameters = OrderedDictionary<String, JSONValue>()
        for k in ECSBuiltins.runTaskParameters where k != "count" && args.isGiven(k) {
            parameters[k] = try JSONValue.argument(args[k], k, builtin: "run")
        }
        return RunPlan(parameters: parameters, count: try countArgument(args), wait: wait, timeout: timeout, logs: logs,
                       watch: try args.optionalString("watch"))
    }

    /// `launchTimeout:` as a Duration or seconds, zero allowed; nil (not given): the default.
    static func launchTimeout(_ v: Value) throws -> Duration {
        switch v {
        case .nil: return Launcher.defaultLaunchTimeout
        case .duration(let ns) where ns >= 0: return min(.nanoseconds(ns), Timeouts.maximum)
        case .int(let s) where s >= 0: return .seconds(min(s, 30 * 24 * 3600))
        case .duration, .int: throw ScriptErrors.value("run", "'launchTimeout' must not be negative")
        default: throw ScriptErrors.type("run", "launchTimeout", "a Duration such as 10m", v)
        }
    }

    static func countArgument(_ args: Arguments) throws -> Int {
        switch args["count"] {
        case .nil: return 1
        case .int(let n): return n
        case let v: throw ScriptErrors.type("run", "count", "an Int", v)
        }
    }
}
