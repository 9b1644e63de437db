/// StopTask for many tasks, a few calls at a time, every task tried even when some fail.
enum TaskStopper {
    static let concurrentCalls = 8

    /// The ARNs stopped, and for each task that could not be, its ARN and why.
    static func stop(_ targets: [(cluster: String, arn: String)], reason: String,
                     backend: any Backend) async -> (stopped: Set<String>, failed: [(arn: String, why: String)]) {
        var stopped = Set<String>()
        var failed: [(arn: String, why: String)] = []
        await withTaskGroup(of: (String, String?).self) { group in
            var next = 0
            func start() {
                let t = targets[next]
                next += 1
                group.addTask {
                    do {
                        _ = try await backend.stopTask(cluster: t.cluster, task: t.arn, reason: reason)
                        return (t.arn, nil)
                    } catch {
                        return (t.arn, "\(error)")
                    }
                }
            }
            while next < min(concurrentCalls, targets.count) { start() }
            while let (arn, error) = await group.next() {
                if let error { failed.append((arn, error)) } else { stopped.insert(arn) }
                if next < targets.count { start() }
            }
        }
        return (stopped, failed)
    }
}
