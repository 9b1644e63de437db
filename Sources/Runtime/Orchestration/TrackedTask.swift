import Foundation

/// A task this session launched (or described), with what ecsh knows about it.
public struct TrackedTask: Sendable {
    public var cluster: String
    public var task: ECSTask
    /// The container whose exit code is the task's.
    public var watch: String?
    public var definition: TaskDefinitionDescription?
    /// Set when RunTask could not place it, or DescribeTasks lost it.
    public var failure: Failure?
    public var isDryRun: Bool
    /// False for tasks a script only described or waited on; `tasks()` lists the others.
    public var launchedHere = true
    /// Ctrl-C stops it (`run(..., stopOnInterrupt: true)`).
    public var stopOnInterrupt = false
    /// When DescribeTasks first answered MISSING for it, while it still does.
    var missingSince: Date?
    /// How many rounds in a row answered MISSING.
    var missingCount = 0

    public init(cluster: String, task: ECSTask, watch: String?, definition: TaskDefinitionDescription?,
                failure: Failure? = nil, isDryRun: Bool = false) {
        self.cluster = cluster
        self.task = task
        self.watch = watch
        self.definition = definition
        self.failure = failure
        self.isDryRun = isDryRun
    }

    public var arn: String? { task.taskArn }

    /// The watched container's exit code.
    public var exitCode: Int? {
        let containers = task.containers ?? []
        let watched = containers.first { $0.name == watch } ?? containers.first
        return watched?.exitCode ?? (isDryRun ? 0 : nil)
    }

    public var failedToStart: Bool { failure != nil || task.stopCode == "TaskFailedToStart" }

    /// Stopped (or never started): nothing more will change.
    public var isFinal: Bool { isDryRun || failure != nil || task.isStopped }

    /// Stopped with exit code 0 after starting.
    public var ok: Bool { isFinal && !failedToStart && exitCode == 0 }

    /// RUNNING or later.
    public var hasStarted: Bool {
        isFinal || ["RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"].contains(task.lastStatus ?? "")
    }
}

/// What a wait waits for.
public enum WaitGoal: String, Sendable {
    case running, stopped

    func isReached(_ t: TrackedTask) -> Bool { self == .stopped ? t.isFinal : t.hasStarted }
}
