import Lang

/// The ECS built-ins of the language: their names, parameters and documentation.
///
/// Their bodies are not written yet (the AWS layer comes next); each call fails with a
/// catchable `NotAvailable` error that says so, while `ecsh check`, `help()` and the
/// static argument checks already treat them as the real thing.
public enum ECSBuiltins {
    /// RunTask's request parameters, by their API names, as `run()` takes them.
    public static let runTaskParameters = [
        "cluster", "count", "launchType", "capacityProviderStrategy", "networkConfiguration", "overrides",
        "platformVersion", "propagateTags", "referenceId", "startedBy", "group", "placementConstraints",
        "placementStrategy", "tags", "enableECSManagedTags", "enableExecuteCommand", "clientToken",
        "volumeConfigurations",
    ]

    public static func all() -> [Builtin] {
        [
            pending("config", [.optional("path")],
                    "Loads an ecspresso-style ecspresso.yml (region, cluster, task_definition, service_definition, timeout) and makes it the default for what follows."),
            pending("register", [.optional("definition")],
                    "Registers a task definition from a JSON or Jsonnet file, or a Map, and returns a TaskDefinition (.arn, .family, .revision)."),
            pending("taskdef", [.init("family"), .optional("revision")],
                    "An existing task definition: the latest ACTIVE revision of the family, or the given one."),
            pending("overrides", ["container", "command", "env", "cpu", "memory", "containers", "taskRoleArn",
                                  "executionRoleArn", "ephemeralStorage"].map { BuiltinParameter.optional($0, .named) },
                    "Builds and checks a TaskOverride: overrides(container: \"app\", command: [...], env: {...}), or containers: [...] for several."),
            pending("run", [.init("taskdef")] + (runTaskParameters + ["wait", "timeout", "logs", "watch"]).map { .optional($0, .named) },
                    "RunTask with every RunTask parameter by name, plus wait:, timeout:, logs:, watch:. Returns a Task, or a List of Tasks when count > 1."),
            pending("wait", [.init("tasks"), .init("until", .named, default: .string("stopped")), .optional("timeout", .named), .optional("logs", .named)],
                    "Waits for one task or a List of tasks and returns their final records (.exitCode, .ok, .stopCode, .stoppedReason, .containers)."),
            pending("stop", [.init("tasks"), .optional("reason")], "Stops a task or a List of tasks (StopTask)."),
            pending("describe", [.init("tasks")], "The current state of a task or a List of tasks (DescribeTasks)."),
            pending("logs", [.init("task"), .init("follow", default: .bool(false))], "The task's log lines (CloudWatch Logs for the awslogs driver)."),
            pending("tasks", [], "The tasks this session launched."),
        ]
    }

    private static func pending(_ name: String, _ parameters: [BuiltinParameter], _ doc: String) -> Builtin {
        Builtin(name, parameters, doc: doc) { _, _ in
            throw ScriptError("\(name)() is not available yet: this build of ecsh has the language but not the ECS runtime",
                              code: "NotAvailable")
        }
    }
}
