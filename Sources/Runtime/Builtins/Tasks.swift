import Lang

/// `tasks()`: the tasks this session launched, as last seen.
enum TasksBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        Builtin("tasks", [], doc: "The tasks this session launched.") { _, _ in
            .list(session.registry.all.filter(\.launchedHere).map(TaskRecord.make))
        }.returning(.list(.task))
    }
}
