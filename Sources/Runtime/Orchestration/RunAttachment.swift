import Foundation

/// `ecsh attach` and `ecsh stop` on a run of another process: its tasks, live from ECS,
/// followed or stopped through a session of this one.
public enum RunAttachment {
    /// Registers the run's tasks in the session: stopped ones as the journal or ECS last
    /// had them, the others to be waited for. Returns their registry keys, in launch order.
    public static func adopt(_ run: LiveRun, session: ECSSession) async -> [String] {
        var keys: [String] = []
        for t in run.tasks {
            var definition: TaskDefinitionDescription?
            if !t.isStopped, let arn = t.task?.taskDefinitionArn {
                definition = session.definition(arn)
                if definition == nil, let td = try? await session.backend().describeTaskDefinition(arn) {
                    session.remember(td)
                    definition = td
                }
            }
            let task = t.task ?? ECSTask(taskArn: t.arn)
            keys.append(session.registry.add(TrackedTask(cluster: t.cluster, task: task,
                                                         watch: t.watch ?? definition?.watchedContainer,
                                                         definition: definition)))
        }
        return keys
    }

    /// Follows the adopted tasks until every one stops, with progress and, when asked,
    /// their logs; returns the exit status the run would have had: the first non-zero
    /// exit code of a watched container, 1 for a task that failed or has no exit code.
    public static func follow(_ keys: [String], logs: LogSelection?, session: ECSSession) async throws -> Int32 {
        let pending = keys.filter { !(session.registry[$0]?.isFinal ?? true) }
        if !pending.isEmpty {
            try await Waiting.wait(pending, until: .stopped, timeout: nil, logs: logs, session: session)
        }
        return RunPlan.Outcome(tasks: keys.compactMap { session.registry[$0] }, timeout: nil).exitStatus
    }

    /// StopTask for every task of the run still running, a few at a time. Returns the ids
    /// stopped and, for each that could not be, why.
    public static func stop(_ run: LiveRun, session: ECSSession) async -> (stopped: [String], failed: [(String, String)]) {
        let targets = run.running
        guard !targets.isEmpty else { return ([], []) }
        let backend: any Backend
        do {
            backend = try await session.backend()
        } catch {
            return ([], targets.map { ($0.task?.id ?? $0.arn, "\(error)") })
        }
        let result = await TaskStopper.stop(targets.map { ($0.cluster, $0.arn) }, reason: "Stopped by ecsh stop \(run.summary.id)",
                                            backend: backend)
        let id = { (arn: String) in ECSTask(taskArn: arn).id ?? arn }
        let stopped = targets.map(\.arn).filter(result.stopped.contains).map(id)
        let failed = result.failed.map { (id($0.arn), $0.why) }
        return (stopped, failed)
    }
}
