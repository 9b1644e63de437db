import OrderedCollections
import Synchronization

/// Every task of the session, in launch order, keyed by ARN. Shared by the launcher, the
/// poller and `tasks()`.
public final class TaskRegistry: Sendable {
    private let tasks = Mutex<OrderedDictionary<String, TrackedTask>>([:])
    /// Placeholders for tasks that never got an ARN (RunTask failures).
    private let counter = Mutex(0)
    /// Told of every status change, after the lock is released.
    let observer: (any ProgressObserver)?
    /// Told of every task that becomes final (the run journal records it).
    private let finalHook = Mutex<(@Sendable (TrackedTask) -> Void)?>(nil)

    public init(observer: (any ProgressObserver)? = nil) {
        self.observer = observer
    }

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
        let change = tasks.withLock { all -> (before: TrackedTask, after: TrackedTask)? in
            guard var t = all[arn] else { return nil }
            let before = t
            t.task = task
            t.missingSince = nil
            t.missingCount = 0
            all[arn] = t
            return (before, t)
        }
        if let (before, after) = change, !before.isFinal, after.isFinal { finalHook.withLock { $0 }?(after) }
        guard let observer, let (before, after) = change else { return }
        if before.task.lastStatus != after.task.lastStatus {
            observer.observe(.status(after, previous: before.task.lastStatus))
        }
        if !before.isFinal, after.isFinal { observer.observe(.stopped(after)) }
    }

    /// Marks a task as lost or refused (DescribeTasks failures): it is final from now on.
    func fail(_ key: String, _ failure: Failure) {
        let failed = tasks.withLock { all -> TrackedTask? in
            guard var t = all[key], t.failure == nil else { return nil }
            t.failure = failure
            all[key] = t
            return t
        }
        if let failed {
            finalHook.withLock { $0 }?(failed)
            observer?.observe(.stopped(failed))
        }
    }

    /// Calls `hook` for every task that becomes final from now on.
    func onFinal(_ hook: @escaping @Sendable (TrackedTask) -> Void) {
        finalHook.withLock { $0 = hook }
    }

    /// Tells the observer about tasks RunTask just answered with.
    func announceLaunch(_ keys: [String]) {
        guard let observer else { return }
        for key in keys {
            guard let t = self[key] else { continue }
            observer.observe(t.failure == nil ? .launched(t) : .stopped(t))
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
