import Lang

/// `tasks()`: the tasks this session launched, as last seen. With any of `startedBy:`,
/// `family:`, `group:`, `status:` or `cluster:`, the tasks ECS has (ListTasks, every page,
/// then DescribeTasks 100 at a time), earlier runs' included, ready for `wait`, `stop`
/// and `logs`.
enum TasksBuiltin {
    static let filters = ["startedBy", "family", "group", "status", "cluster"]

    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("tasks", filters.map { .optional($0, .named, type: .string) },
            "The tasks this session launched; with startedBy:, family:, group:, status: (RUNNING, the default, PENDING, STOPPED or \"any\") or cluster:, the tasks ECS lists.") { args in
            guard filters.contains(where: args.isGiven) else {
                return .list(session.registry.all.filter(\.launchedHere).map(TaskRecord.make))
            }
            let statuses: [String]
            switch try args.optionalString("status")?.uppercased() {
            case nil: statuses = ["RUNNING"]
            case "ANY"?: statuses = ["RUNNING", "STOPPED"]
            case let s? where ["RUNNING", "PENDING", "STOPPED"].contains(s): statuses = [s]
            case let s?: throw ScriptErrors.value("tasks", "'status' must be RUNNING, PENDING, STOPPED or \"any\", got \"\(s)\"")
            }
            let cluster = session.cluster(try args.optionalString("cluster"))
            let group = try args.optionalString("group")
            let found = try await TaskLister.tasks(cluster: cluster, startedBy: try args.optionalString("startedBy"),
                                                   family: try args.optionalString("family"), desiredStatuses: statuses,
                                                   backend: session.backend())
            var records: [Value] = []
            for task in found where group == nil || task.group == group {
                guard let arn = task.taskArn else { continue }
                if let key = session.registry.key(for: arn), session.registry[key] != nil {
                    session.registry.update(task)
                    if let t = session.registry[key] { records.append(TaskRecord.make(t)) }
                    continue
                }
                var definition: TaskDefinitionDescription?
                if let td = task.taskDefinitionArn {
                    definition = session.definition(td)
                    if definition == nil { definition = try? await TaskDefinitions.describe(td, session: session) }
                }
                var t = TrackedTask(cluster: cluster, task: task, watch: definition?.watchedContainer, definition: definition)
                t.launchedHere = false
                session.registry.add(t)
                records.append(TaskRecord.make(t))
            }
            return .list(records)
        }.returning(.list(.task))
    }
}
