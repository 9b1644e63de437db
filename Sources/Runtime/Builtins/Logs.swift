import Lang

/// `logs(task, follow?)`: the watched container's lines from CloudWatch Logs.
enum LogsBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("logs", [.init("task", type: .union([.task, .string])), .init("follow", default: .bool(false), type: .bool), .optional("container", .named, type: .string)],
            "The task's log lines (CloudWatch Logs for the awslogs driver). follow: true prints them as they come until the task stops.") { args in
            let (keys, isList) = try await TaskArguments.keys(args["task"], session: session, builtin: "logs")
            guard !isList, let key = keys.first, var t = session.registry[key] else {
                throw ScriptErrors.type("logs", "task", "one Task", args["task"])
            }
            if t.definition == nil, let arn = t.task.taskDefinitionArn {
                t.definition = try await TaskDefinitions.describe(arn, session: session)
                let definition = t.definition
                session.registry.modify(key) { $0.definition = definition }
            }
            let container = try args.optionalString("container")
            if case .bool(true) = args["follow"] {
                try await Waiting.wait([key], until: .stopped, timeout: nil, logs: container.map(LogSelection.container) ?? .watched,
                                       session: session)
                t = session.registry[key] ?? t
            }
            guard let stream = try await session.backend().logStream(for: t, container: container) else {
                throw ScriptErrors.value("logs", "container '\(container ?? t.watch ?? "?")' of task \(t.task.id ?? "?") does not use the awslogs log driver with an awslogs-group, so there are no logs to read")
            }
            let (lines, _) = try await LogStream.read(stream, after: nil, session: session)
            return .list(lines.map(Value.string))
        }.returning(.list(.string))
    }
}
