import Foundation

/// What happens to the tasks of a session while it launches and waits for them: what a
/// progress display draws and `--output json` prints, one event a line.
public enum ProgressEvent: Sendable {
    /// RunTask answered with this task. A task RunTask could not place comes as
    /// `.stopped` only.
    case launched(TrackedTask)
    /// DescribeTasks saw a new `lastStatus`.
    case status(TrackedTask, previous: String?)
    /// A new line of one container's log.
    case log(LogLine)
    /// The wait's log reader read this task's streams for the last time: no `.log` of it
    /// follows, so a display may now print its stop after its lines.
    case logsEnded(taskKey: String)
    /// Nothing more will change: the task stopped, never started, or ECS lost it.
    case stopped(TrackedTask)
    /// A wait began.
    case waitStarted(WaitProgress)
    /// A wait ended: every task reached the goal, or it timed out, or it was interrupted.
    case waitEnded(WaitProgress, WaitEnd)
    /// Something the user should know that does not stop the script (a log stream that
    /// cannot be read, say).
    case warning(String)
}

/// One line of a container's log, and where it came from.
public struct LogLine: Sendable {
    public var taskID: String
    public var taskArn: String?
    public var container: String
    public var message: String
    /// More than one stream is shown, so the line needs its task and container in front.
    public var labelled: Bool

    public init(taskID: String, taskArn: String?, container: String, message: String, labelled: Bool) {
        self.taskID = taskID
        self.taskArn = taskArn
        self.container = container
        self.message = message
        self.labelled = labelled
    }

    /// `[1a2b3c4d app] message`, or the message alone.
    public var text: String { labelled ? "[\(taskID.prefix(8)) \(container)] \(message)" : message }
}

/// How a wait ended.
public enum WaitEnd: String, Sendable {
    case reached, timedOut, interrupted, failed
}

/// A wait as a display sees it: the tasks, the goal, the clock.
public struct WaitProgress: Sendable {
    /// Distinguishes waits of one session.
    public var id: Int
    public var keys: [String]
    public var goal: WaitGoal
    public var timeout: Duration?
    public var started: ContinuousClock.Instant
    public var registry: TaskRegistry
    /// The wait streams its tasks' logs (a `.logsEnded` comes for each task whose streams it read).
    public var followsLogs = false

    /// The waited tasks as last seen.
    public var tasks: [TrackedTask] { keys.compactMap { registry[$0] } }

    /// Tasks by `lastStatus` in lifecycle order; tasks that never started count as
    /// FAILED_TO_START.
    public var counts: [(status: String, count: Int)] {
        var byStatus: [String: Int] = [:]
        for t in tasks { byStatus[t.failure != nil ? "FAILED_TO_START" : (t.task.lastStatus ?? "UNKNOWN"), default: 0] += 1 }
        return byStatus.sorted { (Self.order[$0.key] ?? 99, $0.key) < (Self.order[$1.key] ?? 99, $1.key) }
            .map { (status: $0.key, count: $0.value) }
    }

    static let order = ["PROVISIONING": 0, "PENDING": 1, "ACTIVATING": 2, "RUNNING": 3, "DEACTIVATING": 4,
                        "STOPPING": 5, "DEPROVISIONING": 6, "STOPPED": 7, "FAILED_TO_START": 8]
}

/// Receives a session's progress events; called from any task or thread, in the order
/// each producer saw them.
public protocol ProgressObserver: Sendable {
    func observe(_ event: ProgressEvent)
}

/// The observer of a session nobody draws progress for: log lines go to the output as
/// text, warnings to `warning` (the output unless given); the rest is silent.
public struct LogLinePrinter: ProgressObserver {
    let output: @Sendable (String) -> Void
    let warning: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void, warning: (@Sendable (String) -> Void)? = nil) {
        self.output = output
        self.warning = warning ?? output
    }

    public func observe(_ event: ProgressEvent) {
        switch event {
        case .log(let line): output(line.text + "\n")
        case .warning(let text): warning("ecsh: warning: \(text)\n")
        default: break
        }
    }
}
