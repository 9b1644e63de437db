import Foundation

/// One poller for every wait of the session: each round asks DescribeTasks about all the
/// tasks anybody waits for, 100 a call per cluster, and wakes the waits that are done.
///
/// The interval starts short and grows while nothing changes, so a task that ends in
/// seconds is seen in seconds and an hour-long one costs few calls.
public actor TaskPoller {
    public struct Timing: Sendable {
        public var initial: Duration
        public var maximum: Duration
        /// A task DescribeTasks keeps answering MISSING for this long is given up on.
        public var missingGrace: Duration

        public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(10), missingGrace: Duration = .seconds(60)) {
            self.initial = initial
            self.maximum = maximum
            self.missingGrace = missingGrace
        }
    }

    private struct Waiter {
        var keys: [String]
        var goal: WaitGoal
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let registry: TaskRegistry
    private let backend: @Sendable () async throws -> any Backend
    private let timing: Timing
    private let sleep: @Sendable (Duration) async throws -> Void
    private var waiters: [Int: Waiter] = [:]
    private var nextID = 0
    private var loop: Task<Void, Never>?
    /// DescribeTasks calls made, for tests and `--debug` summaries.
    public private(set) var describeCalls = 0

    public init(registry: TaskRegistry, timing: Timing = Timing(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                backend: @escaping @Sendable () async throws -> any Backend) {
        self.registry = registry
        self.timing = timing
        self.sleep = sleep
        self.backend = backend
    }

    /// Returns when every task under `keys` reached the goal. Cancelling the caller
    /// (Ctrl-C, a timeout) removes it; the tasks go on.
    public func wait(for keys: [String], until goal: WaitGoal) async throws {
        if done(keys, goal) { return }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    c.resume(throwing: CancellationError())
                    return
                }
                waiters[id] = Waiter(keys: keys, goal: goal, continuation: c)
                startLoop()
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    private func done(_ keys: [String], _ goal: WaitGoal) -> Bool {
        keys.allSatisfy { key in registry[key].map(goal.isReached) ?? true }
    }

    private func startLoop() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    private func run() async {
        var interval = timing.initial
        var failures = 0
        var unchanged = 0
        var roundStarted = ContinuousClock.now
        while !waiters.isEmpty {
            // From round start to round start: a round of many calls must not stretch the interval.
            let spent = ContinuousClock.now - roundStarted
            do {
                try await sleep(spent < interval ? interval - spent : .zero)
            } catch {
                break
            }
            roundStarted = .now
            let changed: Bool
            do {
                changed = try await pollOnce()
                failures = 0
            } catch {
                // An hour-long wait should outlive a few bad minutes of throttling or network
                // (each round already had the client's retries); access denied should not wait.
                failures += 1
                if Self.isTransient(error), failures < Self.maxTransientFailures {
                    interval = timing.maximum
                    continue
                }
                for (_, w) in waiters { w.continuation.resume(throwing: error) }
                waiters.removeAll()
                break
            }
            for (id, w) in waiters where done(w.keys, w.goal) {
                waiters.removeValue(forKey: id)
                w.continuation.resume()
            }
            // A task on its way to STOPPED gets there in seconds: keep the first pace until it does,
            // so the stop is seen within one short interval.
            // Tasks change state every few seconds: one quiet round says little, so the
            // interval grows only after two in a row.
            unchanged = changed ? 0 : unchanged + 1
            interval = unchanged < 2 || stopIsNear() ? timing.initial : min(interval * 3 / 2, timing.maximum)
        }
        loop = nil
        // A wait may have arrived while the last round finished.
        if !waiters.isEmpty { startLoop() }
    }

    static let maxTransientFailures = 6

    /// States a task passes through between RUNNING and STOPPED.
    static let stoppingStates: Set<String> = ["DEACTIVATING", "STOPPING", "DEPROVISIONING"]

    private func stopIsNear() -> Bool {
        waiters.values.contains { w in
            w.goal == .stopped && w.keys.contains { key in
                guard let t = registry[key], !t.isFinal else { return false }
                return Self.stoppingStates.contains(t.task.lastStatus ?? "")
            }
        }
    }

    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case is TransportError: return true
        case let e as AWSError: return e.status >= 500 || RetryPolicy.isThrottling(e)
        default: return false
        }
    }

    /// One round; true when any task changed status.
    private func pollOnce() async throws -> Bool {
        var pending: [TrackedTask] = []
        for w in waiters.values {
            pending += w.keys.compactMap { registry[$0] }.filter { !w.goal.isReached($0) }
        }
        let answer = try await TaskDescriber.describe(TaskDescriber.byCluster(pending), backend: backend())
        describeCalls += answer.calls
        var changed = false
        for task in answer.tasks {
            if let arn = task.taskArn, registry[arn]?.task.lastStatus != task.lastStatus { changed = true }
            registry.update(task)
        }
        for failure in answer.failures {
            guard let arn = failure.arn else { continue }
            if failure.reason == "MISSING" {
                markMissing(arn)
            } else {
                registry.fail(arn, failure)
                changed = true
            }
        }
        return changed
    }

    /// Right after RunTask, DescribeTasks may not know a task yet: keep asking, within reason.
    private func markMissing(_ arn: String) {
        let now = Date()
        let (seconds, attoseconds) = timing.missingGrace.components
        let grace = Double(seconds) + Double(attoseconds) / 1e18
        var givenUp = false
        registry.modify(arn) { t in
            let since = t.missingSince ?? now
            t.missingSince = since
            t.missingCount += 1
            // Time and rounds both: a slow or suspended machine must not give up on a task
            // it asked about only once or twice.
            givenUp = now.timeIntervalSince(since) >= grace && t.missingCount >= 5
        }
        if givenUp {
            registry.fail(arn, Failure(arn: arn, reason: "MISSING",
                                       detail: "ECS did not know this task for \(Int(grace)) s after it was launched"))
        }
    }
}
