import Lang

/// `waitAny(tasks, timeout:)`: the first of the tasks to stop, as its final record.
/// One poller looks at all of them; the others go on being tracked.
enum WaitAnyBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("waitAny", [.init("tasks", type: .list(.any)), .optional("timeout", .named, type: .union([.duration, .int, .float]))],
            "Waits until the first of a List of tasks stops and returns its final record; a task already stopped is returned at once.") { args in
            let timeout = try Timeouts.parse(args["timeout"], builtin: "waitAny")
            let (keys, _) = try await TaskArguments.keys(args["tasks"], session: session, builtin: "waitAny")
            guard !keys.isEmpty else { throw ScriptErrors.value("waitAny", "no task to wait for: the List is empty") }
            if let done = keys.first(where: { session.registry[$0]?.isFinal ?? false }), let t = session.registry[done] {
                return TaskRecord.make(t)
            }
            let first = try await withThrowingTaskGroup(of: String?.self) { group in
                for key in keys {
                    group.addTask {
                        try await session.poller.wait(for: [key], until: .stopped)
                        return key
                    }
                }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                }
                let winner = try await group.next() ?? nil
                group.cancelAll()
                return winner
            }
            guard let first, let t = session.registry[first] else {
                throw ScriptError("waitAny(): none of the \(keys.count) task(s) stopped within \(Timeouts.text(timeout ?? .zero))",
                                  code: "WaitTimeout")
            }
            return TaskRecord.make(t)
        }.returning(.task)
    }
}
