/// DescribeTasks for any number of tasks: one call per 100 tasks (the most a call takes)
/// per cluster. The poller, `describe()`, a wait's last look and the lookup of tasks named
/// by id all ask through here.
enum TaskDescriber {
    static let batchSize = 100

    struct Answer {
        var tasks: [ECSTask] = []
        var failures: [Failure] = []
        /// DescribeTasks calls made.
        var calls = 0
    }

    /// Every call's tasks and failures, merged. Clusters are asked in name order.
    static func describe(_ refsByCluster: [String: [String]], backend: any Backend) async throws -> Answer {
        var answer = Answer()
        for (cluster, refs) in refsByCluster.sorted(by: { $0.key < $1.key }) {
            for start in stride(from: 0, to: refs.count, by: batchSize) {
                let chunk = Array(refs[start..<min(start + batchSize, refs.count)])
                let part = try await backend.describeTasks(cluster: cluster, tasks: chunk)
                answer.calls += 1
                answer.tasks += part.tasks ?? []
                answer.failures += part.failures ?? []
            }
        }
        return answer
    }

    /// The ARNs of tracked tasks, grouped by their cluster.
    static func byCluster(_ tasks: [TrackedTask]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in tasks {
            guard let arn = t.arn, !(out[t.cluster]?.contains(arn) ?? false) else { continue }
            out[t.cluster, default: []].append(arn)
        }
        return out
    }
}
