import Lang

/// The records and Map shapes the ECS built-ins return, as the checker, `help` and the
/// REPL's completion know them. ``TaskRecord`` makes the values.
public enum RecordSchemas {
    typealias F = RecordSchema.Field
    private static let text = ScriptType.optional(.string)

    public static let task = RecordSchema("Task", doc: "A task as last seen: run(), wait(), describe(), tasks() return them.", fields: [
        F("arn", text, "The task's ARN."),
        F("id", text, "The last part of the ARN."),
        F("cluster", .string, "The cluster it runs in."),
        F("taskDefinitionArn", text, "The task definition it runs."),
        F("lastStatus", text, "PROVISIONING, PENDING, RUNNING, ..., STOPPED; FAILED_TO_START when RunTask could not place it."),
        F("desiredStatus", text, "RUNNING or STOPPED."),
        F("exitCode", .optional(.int), "The watched container's exit code; known once the task stopped (read it on the record wait() returns)."),
        F("ok", .bool, "True when the task stopped with exit code 0 and did not fail to start; known once it stopped."),
        F("stopCode", text, "Why ECS stopped it: EssentialContainerExited, TaskFailedToStart, UserInitiated, ...; known once it stopped."),
        F("stoppedReason", text, "ECS's words on why it stopped; known once it stopped."),
        F("containers", .list(.record("Container")), "Its containers."),
        F("watch", text, "The container whose exit code is the task's."),
        F("startedBy", text, "RunTask's startedBy."),
        F("group", text, "RunTask's group."),
        F("launchType", text, "EC2, FARGATE or EXTERNAL."),
        F("dryRun", .bool, "True for a task --dry-run only pretended to launch."),
    ])

    public static let container = RecordSchema("Container", doc: "One container of a Task.", fields: [
        F("name", text, "Its name in the task definition."),
        F("exitCode", .optional(.int), "Its exit code, once it stopped."),
        F("reason", text, "Why it stopped, when ECS says."),
        F("lastStatus", text, "PENDING, RUNNING, STOPPED, ..."),
    ])

    public static let taskDefinition = RecordSchema("TaskDefinition", doc: "A registered task definition: register() and taskdef() return one.", fields: [
        F("arn", text, "Its ARN, with the revision."),
        F("family", text, "The family."),
        F("revision", .optional(.int), "The revision number."),
        F("containers", .list(.string), "The names of its containers."),
        F("networkMode", text, "bridge, host, awsvpc or none."),
        F("status", text, "ACTIVE or INACTIVE."),
    ])

    /// What config() returns: the settings it read and the service definition's RunTask defaults.
    public static let config = RecordSchema("Config", doc: "What config() read: a Map.",
        fields: [
            F("region", text, "The config's region."),
            F("cluster", text, "The config's cluster."),
            F("task_definition", text, "The task definition file."),
            F("timeout", .optional(.duration), "The config's timeout."),
        ] + ECSBuiltins.runTaskParameters.filter { $0 != "cluster" }.map { F($0, .any, "A RunTask default from the service definition.") },
        isOpen: true, isMap: true)

    /// What overrides() returns: a TaskOverride.
    public static let overrides = RecordSchema("Overrides", doc: "A TaskOverride as overrides() builds it: a Map.", fields: [
        F("containerOverrides", .list(.map(.any)), "One Map a container."),
        F("cpu", .string, "Task-level cpu."),
        F("memory", .string, "Task-level memory."),
        F("taskRoleArn", .string, "The task role."),
        F("executionRoleArn", .string, "The execution role."),
        F("ephemeralStorage", .map(.any), "{sizeInGiB: N}."),
    ], isMap: true)

    public static let all = [task, container, taskDefinition, config, overrides]
}
