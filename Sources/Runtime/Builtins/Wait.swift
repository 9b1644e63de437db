import Lang

/// `wait(task_or_list, until:, timeout:, logs:)`.
enum WaitBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("wait", [.init("tasks"), .init("until", .named, default: .string("stopped")), .optional("timeout", .named), .optional("logs", .named)],
            "Waits for one task or a List of tasks and returns their final records (.exitCode, .ok, .stopCode, .stoppedReason, .containers).") { args in
            let goalText = try args.string("until")
            guard let goal = WaitGoal(rawValue: goalText) else {
                throw ScriptErrors.value("wait", "'until' must be \"stopped\" or \"running\", got \"\(goalText)\"")
            }
            let timeout = try Timeouts.parse(args["timeout"], builtin: "wait") ?? session.defaults.timeout
            let logs: Bool
            switch args["logs"] {
            case .nil: logs = false
            case .bool(let b): logs = b
            case let v: throw ScriptErrors.type("wait", "logs", "a Bool", v)
            }
            let (keys, isList) = try TaskArguments.keys(args["tasks"], session: session, builtin: "wait")
            try await Waiting.wait(keys, until: goal, timeout: timeout, logs: logs, session: session, builtin: "wait")
            return TaskArguments.records(keys, isList: isList, session: session)
        }
    }
}

/// The task arguments of wait, stop and describe: a Task, an ARN, or a List of them.
enum TaskArguments {
    static func keys(_ v: Value, session: ECSSession, builtin: String) throws -> ([String], Bool) {
        let items: [Value]
        let isList: Bool
        if case .list(let l) = v { items = l; isList = true } else { items = [v]; isList = false }
        var keys: [String] = []
        for item in items {
            guard let arn = try TaskRecord.arn(item, builtin: builtin, argument: "tasks") else {
                // A task that never started has no ARN; it is already final.
                if case .record(let r) = item, case .string(let c)? = r.fields["cluster"] {
                    var failed = ECSTask()
                    failed.lastStatus = "STOPPED"
                    let reason: String? = if case .string(let s)? = r.fields["stoppedReason"] { s } else { nil }
                    keys.append(session.registry.add(TrackedTask(cluster: c, task: failed, watch: nil, definition: nil,
                                                                 failure: Failure(reason: reason))))
                }
                continue
            }
            if session.registry[arn] == nil {
                var t = TrackedTask(cluster: clusterOf(arn) ?? session.cluster(nil), task: ECSTask(taskArn: arn),
                                    watch: nil, definition: nil, isDryRun: DryRunBackend.isPlaceholder(arn))
                t.launchedHere = false
                session.registry.add(t)
            }
            keys.append(arn)
        }
        return (keys, isList)
    }

    static func records(_ keys: [String], isList: Bool, session: ECSSession) -> Value {
        let records = keys.compactMap { session.registry[$0] }.map(TaskRecord.make)
        return isList ? .list(records) : (records.first ?? .nil)
    }

    /// `arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID` names its cluster; old-style ARNs do not.
    static func clusterOf(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5).last?.split(separator: "/") ?? []
        return parts.count == 3 && parts[0] == "task" ? String(parts[1]) : nil
    }
}
