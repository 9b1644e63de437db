import Lang

/// `wait(task_or_list, until:, timeout:, logs:)`.
enum WaitBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("wait", [.init("tasks", type: ECSBuiltins.taskArgument), .init("until", .named, default: .string("stopped"), type: .string),
                                     .optional("timeout", .named, type: .union([.duration, .int, .float])), .optional("logs", .named, type: .union([.bool, .string]))],
            "Waits for one task or a List of tasks and returns their final records (.exitCode, .ok, .stopCode, .stoppedReason, .containers).") { args in
            let goalText = try args.string("until")
            guard let goal = WaitGoal(rawValue: goalText) else {
                throw ScriptErrors.value("wait", "'until' must be \"stopped\" or \"running\", got \"\(goalText)\"")
            }
            let timeout = try Timeouts.parse(args["timeout"], builtin: "wait") ?? session.defaults.timeout
            let logs = try LogSelection(script: args["logs"], builtin: "wait")
            let (keys, isList) = try await TaskArguments.keys(args["tasks"], session: session, builtin: "wait")
            try await Waiting.wait(keys, until: goal, timeout: timeout, logs: logs, session: session)
            return TaskArguments.records(keys, isList: isList, session: session)
        }
        .returning { call in
            // until: "running" gives tasks that may still run.
            if case .string("running")? = call["until"]?.constant { return ECSBuiltins.tasksLike(call["tasks"], element: .pendingTask) }
            return ECSBuiltins.tasksLike(call["tasks"])
        }
    }
}

/// The task arguments of wait, stop and describe: a Task, an ARN or a task id, or a List of them.
enum TaskArguments {
    /// Registry keys for the tasks named. Tasks this session has not seen are looked up
    /// once (DescribeTasks, then their task definition for the watched container), so an
    /// id or a short ARN ends up under the full ARN that DescribeTasks answers with.
    static func keys(_ v: Value, session: ECSSession, builtin: String) async throws -> ([String], Bool) {
        let items: [Value]
        let isList: Bool
        if case .list(let l) = v { items = l; isList = true } else { items = [v]; isList = false }
        var keys: [String] = []
        var unknown: [(index: Int, ref: String)] = []
        for item in items {
            guard let ref = try TaskRecord.arn(item, builtin: builtin, argument: "tasks") else {
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
            if let key = session.registry.key(for: ref) {
                keys.append(key)
            } else {
                unknown.append((keys.count, ref))
                keys.append(ref)
            }
        }
        guard !unknown.isEmpty else { return (keys, isList) }
        let backend = try await session.backend()
        let byCluster = Dictionary(grouping: unknown) { clusterOf($0.ref) ?? session.cluster(nil) }
        for (cluster, refs) in byCluster {
            let answer = try await TaskDescriber.describe([cluster: refs.map(\.ref)], backend: backend)
            for (index, ref) in refs {
                guard let task = answer.tasks.first(where: { matches($0, ref) }), let arn = task.taskArn else {
                    throw ScriptError("\(builtin)(): no task '\(ref)' in cluster '\(cluster)'", code: "TaskNotFound")
                }
                var definition: TaskDefinitionDescription?
                if let tdArn = task.taskDefinitionArn {
                    if let known = session.definition(tdArn) {
                        definition = known
                    } else {
                        definition = try await TaskDefinitions.describe(tdArn, session: session)
                    }
                }
                var t = TrackedTask(cluster: cluster, task: task, watch: definition?.watchedContainer, definition: definition,
                                    isDryRun: DryRunBackend.isPlaceholder(arn))
                t.launchedHere = false
                session.registry.add(t)
                keys[index] = arn
            }
        }
        return (keys, isList)
    }

    static func matches(_ task: ECSTask, _ ref: String) -> Bool {
        guard let arn = task.taskArn else { return false }
        return arn == ref || task.id == ref || arn.hasSuffix("/" + ref)
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
