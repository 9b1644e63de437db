/// ListTasks, every page, for the tasks of earlier runs: `tasks(startedBy: ...)` and
/// `ecsh runs` find with it what no journal line names.
enum TaskLister {
    /// The ARNs ListTasks answers for each desired status asked (ECS answers RUNNING
    /// only when none is given), without repeats, in answer order.
    static func arns(cluster: String, startedBy: String? = nil, family: String? = nil,
                     desiredStatuses: [String] = ["RUNNING", "STOPPED"], backend: any Backend) async throws -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for status in desiredStatuses {
            var request = ListTasksRequest()
            request.cluster = cluster
            request.startedBy = startedBy
            request.family = family
            request.desiredStatus = status
            request.maxResults = 100
            repeat {
                let page = try await backend.listTasks(request)
                for arn in page.taskArns ?? [] where seen.insert(arn).inserted { out.append(arn) }
                request.nextToken = page.nextToken.flatMap { $0.isEmpty ? nil : $0 }
            } while request.nextToken != nil
        }
        return out
    }

    /// ListTasks then DescribeTasks (100 a call): the tasks as ECS has them now.
    static func tasks(cluster: String, startedBy: String? = nil, family: String? = nil,
                      desiredStatuses: [String] = ["RUNNING", "STOPPED"], backend: any Backend) async throws -> [ECSTask] {
        let refs = try await arns(cluster: cluster, startedBy: startedBy, family: family,
                                  desiredStatuses: desiredStatuses, backend: backend)
        guard !refs.isEmpty else { return [] }
        let answer = try await TaskDescriber.describe([cluster: refs], backend: backend)
        // In the order ListTasks gave.
        let byArn = Dictionary(answer.tasks.compactMap { t in t.taskArn.map { ($0, t) } }) { a, _ in a }
        return refs.compactMap { byArn[$0] }
    }
}
