import Foundation
import Lang

/// Waits on the session's poller, with a timeout and, if asked, the tasks' logs streamed.
enum Waiting {
    static func wait(_ keys: [String], until goal: WaitGoal, timeout: Duration?, logs: Bool,
                     session: ECSSession, builtin: String) async throws {
        let tailer = logs ? LogTailer(session: session, keys: keys) : nil
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
                    if !finished { throw timedOut(keys, goal: goal, after: timeout, session: session, builtin: builtin) }
                }
            } else {
                try await session.poller.wait(for: keys, until: goal)
            }
        } catch {
            tailing?.cancel()
            throw error
        }
        // The last lines arrive after the task stops: read once more so none is lost.
        tailing?.cancel()
        await tailer?.drain()
    }

    static func timedOut(_ keys: [String], goal: WaitGoal, after: Duration, session: ECSSession, builtin: String) -> ScriptError {
        let pending = keys.compactMap { session.registry[$0] }.filter { !goal.isReached($0) }
        let names = pending.prefix(10).map { "\($0.task.id ?? "?") (\($0.task.lastStatus ?? "?"))" }
        let more = pending.count > 10 ? " and \(pending.count - 10) more" : ""
        return ScriptError("\(builtin)(): timed out after \(Timeouts.text(after)): \(pending.count) of \(keys.count) task(s) not \(goal.rawValue): \(names.joined(separator: ", "))\(more)",
                           code: "WaitTimeout", details: ["tasks": .list(pending.map(TaskRecord.make))])
    }
}
