import Foundation
import Lang

/// The ECS built-ins of the language, bound to one session.
public enum ECSBuiltins {
    /// RunTask's request parameters, by their API names, as `run()` takes them.
    public static let runTaskParameters = [
        "cluster", "count", "launchType", "capacityProviderStrategy", "networkConfiguration", "overrides",
        "platformVersion", "propagateTags", "referenceId", "startedBy", "group", "placementConstraints",
        "placementStrategy", "tags", "enableECSManagedTags", "enableExecuteCommand", "clientToken",
        "volumeConfigurations",
    ]

    public static func all(session: ECSSession) -> [Builtin] {
        [
            ConfigBuiltin.make(session).checked(ECSPreflight.config(session)),
            RegisterBuiltin.make(session).checked(ECSPreflight.register(session)),
            TaskDefBuiltin.make(session), OverridesBuiltin.make().checked(ECSPreflight.overrides()),
            RunBuiltin.make(session).checked(ECSPreflight.run(session)), WaitBuiltin.make(session), StopBuiltin.make(session),
            DescribeBuiltin.make(session), LogsBuiltin.make(session), TasksBuiltin.make(session),
            StepBuiltin.make(session), WaitAnyBuiltin.make(session),
        ]
    }

    /// Gives an interpreter the ECS built-ins bound to a session and the records they return.
    public static func install(into interpreter: Interpreter, session: ECSSession) {
        all(session: session).forEach(interpreter.register)
        RecordSchemas.all.forEach(interpreter.register)
    }

    /// One Task for one task argument, a List for a List; what wait(), stop() and describe() return.
    static func tasksLike(_ argument: StaticArgument?, element: ScriptType = .task) -> ScriptType {
        switch argument?.type {
        case .list?: return .list(element)
        case .record("Task")?, .pendingTask?, .string?: return element
        default: return .any
        }
    }

    /// What wait(), stop(), describe() and logs() take: a Task, an ARN or id, or a List of them.
    static let taskArgument: ScriptType = .union([.task, .string, .list(.any)])

    /// An async built-in whose errors reach the script as catchable errors with the
    /// exception name as `.code`.
    static func builtin(_ name: String, _ parameters: [BuiltinParameter], _ doc: String,
                        _ body: @escaping @Sendable (Arguments) async throws -> Value) -> Builtin {
        Builtin(name, parameters, doc: doc) { args in
            do {
                return try await body(args)
            } catch {
                throw ScriptErrors.convert(error, builtin: name)
            }
        }
    }
}

/// Optional Bool arguments: absent is false, anything but a Bool is a TypeError.
enum Flags {
    static func bool(_ args: Arguments, _ name: String, builtin: String) throws -> Bool {
        switch args[name] {
        case .nil: return false
        case .bool(let b): return b
        case let v: throw ScriptErrors.type(builtin, name, "a Bool", v)
        }
    }
}

/// `timeout:` as a Duration or a number of seconds.
enum Timeouts {
    static let maximum = RunPlan.maximumTimeout

    static func parse(_ v: Value, builtin: String) throws -> Duration? {
        let d: Duration? = try value(v, builtin: builtin)
        if let d, d > maximum {
            throw ScriptErrors.value(builtin, "'timeout' must be at most 30 days (720h)")
        }
        return d
    }

    private static func value(_ v: Value, builtin: String) throws -> Duration? {
        switch v {
        case .nil: return nil
        case .duration(let ns) where ns > 0: return .nanoseconds(ns)
        case .int(let s) where s > 0: return s > 30 * 24 * 3600 ? maximum + .seconds(1) : .seconds(s)
        case .float(let s) where s > 0: return s.isFinite && s <= 30 * 24 * 3600 ? .milliseconds(Int(s * 1000)) : maximum + .seconds(1)
        case .duration, .int, .float:
            throw ScriptErrors.value(builtin, "'timeout' must be positive")
        default:
            throw ScriptErrors.type(builtin, "timeout", "a Duration such as 20m", v)
        }
    }

    static func text(_ d: Duration) -> String {
        let s = d.components.seconds
        if s >= 3600, s % 3600 == 0 { return "\(s / 3600)h" }
        if s >= 60, s % 60 == 0 { return "\(s / 60)m" }
        return s > 0 ? "\(s)s" : "\(d.components.attoseconds / 1_000_000_000_000_000)ms"
    }
}

extension LogSelection {
    /// `logs:` of run() and wait(): true, false (nil: none) or "all".
    init?(script v: Value, builtin: String) throws {
        switch v {
        case .nil, .bool(false): return nil
        case .bool(true): self = .watched
        case .string("all"): self = .all
        case .string(let s): throw ScriptErrors.value(builtin, "'logs' must be true, false or \"all\", got \"\(s)\"")
        default: throw ScriptErrors.type(builtin, "logs", "a Bool or \"all\"", v)
        }
    }
}
