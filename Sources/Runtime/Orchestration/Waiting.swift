import Foundation

/// Waits on the session's poller, with a timeout and, if asked, the tasks' logs streamed.
enum Waiting {
    /// Throws ``WaitTimedOut`` when the timeout passes first.
    static func wait(_ keys: [String], until goal: WaitGoal, timeout: Duration?, logs: LogSelection?,
                     session: ECSSession) async throws {
        let progress = WaitProgress(id: session.nextWaitID(), keys: keys, goal: goal, timeout: timeout,
                                    started: .now, registry: session.registry, followsLogs: logs != nil)
        session.progress.observe(.waitStarted(progress))
        let tailer = logs.map { LogTailer(session: session, keys: keys, selection: $0) }
        let tailing = tailer.map { t in Task { await t.run() } }
        defer { tailing?.cancel() }
        do {
            if let timeout {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        try await session.poller.wait(for: keys, until: goal)
                        return true
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return false
                    }
                    let finished = try await group.next() ?? false
                    group.cancelAll()
                    // A task may have stopped since the last round: look once more before saying it did not.
                    if !finished, try await !lastLook(keys, goal: goal, session: session) {
                        throw timedOut(keys, goal: goal, after: timeout, session: session)
                    }
                }
            } else {
                try await session.poller.wait(for: keys, until: goal)
            }
        } catch {
            tailing?.cancel()
            await tailing?.value
            // Lines already written are still worth showing, unless the user asked to stop.
            if !(error is CancellationError) { await tailer?.drain() }
            let end: WaitEnd = if error is CancellationError { .interrupted }
                else if error is WaitTimedOut { .timedOut } else { .failed }
            session.progress.observe(.waitEnded(progress, end))
            throw error
        }
        // The last lines arrive after the task stops: once the tailer's own read is over,
        // read once more so none is lost and none is printed twice.
        tailing?.cancel()
        await tailing?.value
        await tailer?.drain()
        session.progress.observe(.waitEnded(progress, .reached))
    }

    /// DescribeTasks for the tasks not yet at the goal; true when they all are now.
    static func lastLook(_ keys: [String], goal: WaitGoal, session: ECSSession) async throws -> Bool {
        let pending = keys.compactMap { session.registry[$0] }.filter { !goal.isReached($0) }
        let answer = try await TaskDescriber.describe(TaskDescriber.byCluster(pending), backend: session.backend())
        for task in answer.tasks { session.registry.update(task) }
        return keys.allSatisfy { key in session.registry[key].map(goal.isReached) ?? true }
    }

    static func timedOut(_ keys: [String], goal: WaitGoal, after: Duration, session: ECSSession) -> WaitTimedOut {
        let pending = keys.compactMap { session.registry[$0] }.filter { !goal.isReached($0) }
        return WaitTimedOut(timeout: after, goal: goal, total: keys.count, pending: pending)
    }
}
