import Foundation
import Lang

/// Every error a built-in can meet, as the script sees it: the one place where the
/// runtime's errors become script errors with a code, details and the built-in's name.
public enum ScriptErrors {
    /// `error` as `builtin` raises it; cancellation stays what it is.
    public static func convert(_ error: any Error, builtin: String) -> any Error {
        switch error {
        case is ScriptError, is CancellationError:
            return error
        case let e as RequestError:
            return ScriptError("\(builtin)(): \(e.message)", code: e.kind == .value ? "ValueError" : "TypeError")
        case let e as NoTaskStarted:
            return ScriptError("\(builtin)(): no task started: \(e.reasons.joined(separator: "; "))", code: "TaskFailedToStart",
                               details: ["reasons": .list(e.reasons.map(Value.string))])
        case let e as WaitTimedOut:
            return timedOut(e, builtin: builtin)
        case let e as UnansweredLaunch:
            guard var s = convert(e.underlying, builtin: builtin) as? ScriptError else { return e.underlying }
            s.message += " " + e.explanation
            s.details["unansweredClientTokens"] = .list(e.clientTokens.map(Value.string))
            return s
        case let e as PartialLaunch:
            guard var s = convert(e.underlying, builtin: builtin) as? ScriptError else { return e.underlying }
            s.message += " (after \(e.started.count) of \(e.asked) tasks had started: they are in the error's .tasks and in tasks())"
            s.details["tasks"] = .list(e.started.map(TaskRecord.make))
            return s
        case let e as DryRunWithoutReads:
            return ScriptError(e.description, code: "DryRun")
        case let e as AWSError:
            var details: [String: Value] = ["status": .int(e.status), "requestId": e.requestID.map(Value.string) ?? .nil]
            for (k, v) in e.fields { details[k] = (try? JSON.decode(v)) ?? .string(v) }
            return ScriptError("\(builtin)(): \(e.description)", code: e.code, details: details)
        case let e as TransportError:
            return ScriptError("\(builtin)(): \(e.message)", code: "ConnectionError")
        default:
            let code = String(describing: Swift.type(of: error))
            return ScriptError("\(builtin)(): \(error)", code: code)
        }
    }

    /// The runtime's own errors as `builtin` raises them; nil for any other error, which
    /// a caller outside a script (`ecsh run`) reports as it is.
    public static func domain(_ error: any Error, builtin: String) -> ScriptError? {
        switch error {
        case is RequestError, is NoTaskStarted, is WaitTimedOut, is UnansweredLaunch, is PartialLaunch, is DryRunWithoutReads:
            return convert(error, builtin: builtin) as? ScriptError
        default:
            return nil
        }
    }

    static func timedOut(_ e: WaitTimedOut, builtin: String) -> ScriptError {
        let names = e.pending.prefix(10).map { "\($0.task.id ?? "?") (\($0.task.lastStatus ?? "?"))" }
        let more = e.pending.count > 10 ? " and \(e.pending.count - 10) more" : ""
        return ScriptError("\(builtin)(): timed out after \(Timeouts.text(e.timeout)): \(e.pending.count) of \(e.total) task(s) not \(e.goal.rawValue): \(names.joined(separator: ", "))\(more)",
                           code: "WaitTimeout", details: ["tasks": .list(e.pending.map(TaskRecord.make))])
    }

    static func value(_ builtin: String, _ message: String) -> ScriptError {
        ScriptError("\(builtin)(): \(message)", code: "ValueError")
    }

    static func type(_ builtin: String, _ argument: String, _ expected: String, _ got: Value) -> ScriptError {
        ScriptError("\(builtin)(): '\(argument)' must be \(expected), got \(got.typeNameWithArticle)", code: "TypeError")
    }
}
