import OrderedCollections
import Synchronization

/// Every task of the session, in launch order, keyed by ARN. Shared by the launcher, the
/// poller and `tasks()`.
public final class TaskRegistry: Sendable {
    private let tasks = Mutex<OrderedDictionary<String, TrackedTask>>([:])
    /// Placeholders for tasks that never got an ARN (RunTask failures).
    private let counter = Mutex(0)

    public init() {}

    /// Adds or replaces a task; returns the key it is kept under.
    @discardableResult
    public func add(_ t: TrackedTask) -> String {
        let key = t.arn ?? counter.withLock { n in n += 1; return "failed-launch-\(n)" }
        tasks.withLock { $0[key] = t }
        return key
    }

    public subscript(key: String) -> TrackedTask? { tasks.withLock { $0[key] } }

    /// The key a task is kept under, by registry key, full ARN or task id.
    public func key(for ref: String) -> String? {
        tasks.withLock { all in
            if all[ref] != nil { return ref }
            return all.keys.first { $0.hasSuffix("/" + ref) }
        }
    }

    public var all: [TrackedTask] { tasks.withLock { Array($0.values) } }

    /// Applies a DescribeTasks answer, keeping what ecsh knows that ECS does not return.
    func update(_ task: ECSTask) {
        guard let arn = task.taskArn else { return }
        tasks.withLock { all in
            if var t = all[arn] {
                t.task = task
                t.missingSince = nil
                t.missingCount = 0
                all[arn] = t
            }
        }
    }

    func modify(_ key: String, _ change: (inout TrackedTask) -> Void) {
        tasks.withLock { all in
            if var t = all[key] {
                change(&t)
                all[key] = t
            }
        }
    }
}
