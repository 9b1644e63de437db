import Lang

/// `stop(task_or_list, reason?)`.
enum StopBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("stop", [.init("tasks", type: ECSBuiltins.taskArgument), .optional("reason", type: .string)], "Stops a task or a List of tasks (StopTask).") { args in
            let reason = try args.optionalString("reason")
            let (keys, isList) = try await TaskArguments.keys(args["tasks"], session: session, builtin: "stop")
            let backend = try await session.backend()
            // Every task gets its StopTask even when one fails: a failure must not leave the rest running.
            var failures: [(String, any Error)] = []
            for key in keys {
                guard let t = session.registry[key], let arn = t.arn, !t.isFinal || t.isDryRun else { continue }
                do {
                    if let task = try await backend.stopTask(cluster: t.cluster, task: arn, reason: reason) {
                        session.registry.update(task)
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    failures.append((t.task.id ?? arn, error))
                }
            }
            if let (_, first) = failures.first {
                guard var e = ScriptErrors.convert(first, builtin: "stop") as? ScriptError else { throw first }
                if failures.count > 1 || keys.count > 1 {
                    e.message = "stop(): \(failures.count) of \(keys.count) task(s) could not be stopped: "
                        + failures.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
                }
                e.details["failed"] = .list(failures.map { .string($0.0) })
                throw e
            }
            return TaskArguments.records(keys, isList: isList, session: session)
        }
        .returning { ECSBuiltins.tasksLike($0["tasks"]) }
    }
}
