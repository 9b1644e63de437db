import Foundation
import Lang

/// Launches `count` copies of a RunTask request in batches of 10, the most one call takes.
/// Each batch has its own client token, fixed before the first attempt, so the client's
/// retries of a batch can never start it twice.
struct Launcher {
    let session: ECSSession

    static let batchSize = 10

    /// The registry keys of the launched tasks, in order; RunTask's `failures` become
    /// tracked tasks that failed to start.
    func launch(_ request: RunTaskRequest, count: Int, definition: TaskDefinitionDescription?,
                watch: String?) async throws -> [String] {
        let backend = try await session.backend()
        let cluster = request.cluster ?? "default"
        var keys: [String] = []
        var remaining = count
        while remaining > 0 {
            try Task.checkCancellation()
            var batch = request
            batch.count = min(remaining, Self.batchSize)
            if batch.clientToken == nil { batch.clientToken = UUID().uuidString.lowercased() }
            remaining -= batch.count ?? 0
            let answer: RunTaskResponse
            do {
                // Ctrl-C must not abandon a RunTask in flight: tasks it starts would run
                // untracked. An unstructured task is not cancelled with its waiter.
                let call = Task { [batch] in try await backend.runTask(batch) }
                answer = try await call.value
            } catch {
                guard !keys.isEmpty else { throw error }
                throw Self.partial(error, started: keys, asked: count, session: session)
            }
            for task in answer.tasks ?? [] {
                let tracked = TrackedTask(cluster: cluster, task: task, watch: watch, definition: definition,
                                          isDryRun: DryRunBackend.isPlaceholder(task.taskArn))
                keys.append(session.registry.add(tracked))
            }
            // A batch that placed fewer tasks than asked says why in failures[], one
            // entry per reason rather than per task: pad so the result has `count` entries.
            let placed = answer.tasks?.count ?? 0
            let failures = answer.failures ?? []
            let missing = (batch.count ?? 0) - placed
            if missing > 0 {
                for i in 0..<missing {
                    let f = failures.isEmpty ? Failure(reason: "UNKNOWN", detail: "RunTask started fewer tasks than asked")
                        : failures[min(i, failures.count - 1)]
                    var task = ECSTask(taskArn: nil)
                    task.taskDefinitionArn = request.taskDefinition
                    task.lastStatus = "STOPPED"
                    let tracked = TrackedTask(cluster: cluster, task: task, watch: watch, definition: definition, failure: f)
                    keys.append(session.registry.add(tracked))
                }
            }
        }
        return keys
    }

    /// A later batch failed after earlier ones started tasks: the error carries them, so
    /// a script can stop or wait for what is already running.
    static func partial(_ error: any Error, started keys: [String], asked: Int, session: ECSSession) -> any Error {
        guard var e = ScriptErrors.convert(error, builtin: "run") as? ScriptError else { return error }
        let running = keys.compactMap { session.registry[$0] }.filter { $0.failure == nil }
        e.message += " (after \(running.count) of \(asked) tasks had started: they are in the error's .tasks and in tasks())"
        e.details["tasks"] = .list(running.map(TaskRecord.make))
        return e
    }
}
