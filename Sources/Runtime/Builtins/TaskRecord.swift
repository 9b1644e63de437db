import Foundation
import Lang
import OrderedCollections

/// How tasks and task definitions look to scripts: read-only records.
enum TaskRecord {
    static func make(_ t: TrackedTask) -> Value {
        let task = t.task
        var stoppedReason = task.stoppedReason
        var stopCode = task.stopCode
        if let f = t.failure {
            stoppedReason = [f.reason, f.detail].compactMap { $0 }.joined(separator: ": ")
            stopCode = stopCode ?? "TaskFailedToStart"
        }
        let containers: [Value] = (task.containers ?? []).map { c in
            .record(Record(typeName: "Container", fields: [
                "name": str(c.name), "exitCode": c.exitCode.map(Value.int) ?? .nil,
                "reason": str(c.reason), "lastStatus": str(c.lastStatus),
            ]))
        }
        var fields: OrderedDictionary<String, Value> = [
            "arn": str(task.taskArn),
            "id": str(task.id),
            "cluster": .string(t.cluster),
            "taskDefinitionArn": str(task.taskDefinitionArn),
            "lastStatus": str(t.failure != nil ? "FAILED_TO_START" : task.lastStatus),
            "desiredStatus": str(task.desiredStatus),
            "exitCode": t.exitCode.map(Value.int) ?? .nil,
            "ok": .bool(t.ok),
            "stopCode": str(stopCode),
            "stoppedReason": str(stoppedReason),
            "containers": .list(containers),
            "watch": str(t.watch),
            "startedBy": str(task.startedBy),
            "group": str(task.group),
            "launchType": str(task.launchType),
            "dryRun": .bool(t.isDryRun),
        ]
        // Until the task stops these are not known: reading one says so instead of
        // answering a false or nil that looks like a failed task.
        var pending: [String: String] = [:]
        if !t.isFinal {
            let status = task.lastStatus ?? "not yet described"
            for name in ["ok", "exitCode", "stopCode", "stoppedReason"] {
                fields.removeValue(forKey: name)
                pending[name] = "task \(task.id ?? "?") is \(status): its .\(name) is known only once it stopped; use the record wait() returns (t = wait(t))"
            }
        }
        return .record(Record(typeName: "Task", fields: fields, pendingFields: pending))
    }

    static func definition(_ d: TaskDefinitionDescription) -> Value {
        .record(Record(typeName: "TaskDefinition", fields: [
            "arn": str(d.taskDefinitionArn),
            "family": str(d.family),
            "revision": d.revision.map(Value.int) ?? .nil,
            "containers": .list(d.containerNames.map(Value.string)),
            "networkMode": str(d.networkMode),
            "status": str(d.status),
        ]))
    }

    private static func str(_ s: String?) -> Value { s.map(Value.string) ?? .nil }

    /// The ARN (or registry key) a script value names: a Task record or an ARN string.
    static func arn(_ v: Value, builtin: String, argument: String) throws -> String? {
        switch v {
        case .string(let s): return s
        case .record(let r) where r.typeName == "Task":
            if case .string(let s)? = r.fields["arn"] { return s }
            return nil
        default:
            throw ScriptError("\(builtin)(): '\(argument)' must be a Task, an ARN or a List of them, got \(v.typeNameWithArticle)",
                              code: "TypeError")
        }
    }
}
