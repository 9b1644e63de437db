/// StopTask for many tasks, a few calls at a time, every task tried even when some fail.
enum TaskStopper {
    static let concurrentCalls = 8

    /// The ARNs stopped, for each task that could not be its ARN and why, and the tasks as
    /// StopTask answered (so the session's view can follow).
    static func stop(_ targets: [(cluster: String, arn: String)], reason: String, backend: any Backend) async
        -> (stopped: Set<String>, failed: [(arn: String, why: String)], answers: [ECSTask]) {
        var stopped = Set<String>()
        var failed: [(arn: String, why: String)] = []
        var answers: [ECSTask] = []
        await withTaskGroup(of: (String, String?, ECSTask?).self) { group in
            var next = 0
            func start() {
                let t = targets[next]
                next += 1
                group.addTask {
                    do {
                        let answer = try await backend.stopTask(cluster: t.cluster, task: t.arn, reason: reason)
                        return (t.arn, nil, answer)
                    } catch {
                        return (t.arn, "\(error)", nil)
                    }
                }
            }
            while next < min(concurrentCalls, targets.count) { start() }
            while let (arn, error, answer) = await group.next() {
                if let error { failed.append((arn, error)) } else { stopped.insert(arn) }
                if let answer { answers.append(answer) }
                if next < targets.count { start() }
            }
        }
        return (stopped, failed, answers)
    }
}
