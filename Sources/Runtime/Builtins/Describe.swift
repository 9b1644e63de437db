import Lang

/// `describe(task_or_list)`: DescribeTasks now, 100 a call per cluster.
enum DescribeBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("describe", [.init("tasks", type: ECSBuiltins.taskArgument)], "The current state of a task or a List of tasks (DescribeTasks).") { args in
            let (keys, isList) = try await TaskArguments.keys(args["tasks"], session: session, builtin: "describe")
            let current = keys.compactMap { session.registry[$0] }.filter { !$0.isDryRun && $0.failure == nil }
            let answer = try await TaskDescriber.describe(TaskDescriber.byCluster(current), backend: session.backend())
            for task in answer.tasks { session.registry.update(task) }
            for f in answer.failures where f.reason != "MISSING" {
                if let arn = f.arn { session.registry.fail(arn, f) }
            }
            return TaskArguments.records(keys, isList: isList, session: session)
        }
        .returning { ECSBuiltins.tasksLike($0["tasks"]) }
    }
}
