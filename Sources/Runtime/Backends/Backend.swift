import Lang

/// Where tasks run: ECS through the AWS API, or host processes with `--local`.
/// The orchestration and the built-ins see only this.
public protocol Backend: Sendable {
    /// RegisterTaskDefinition with the definition as the user wrote it (a Map).
    func registerTaskDefinition(_ definition: Value) async throws -> TaskDefinitionDescription
    /// DescribeTaskDefinition: `family`, `family:revision` or an ARN.
    func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription
    func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse
    func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse
    /// At most 100 tasks a call.
    func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse
    func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask?
    func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse
    func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse
    /// Where a task's container writes its log lines, if anywhere the backend can read.
    func logStream(for task: TrackedTask, container: String?) -> LogStream?
    /// Ends what the backend runs itself (local processes); AWS tasks are not touched.
    func shutdown() async
}

extension Backend {
    /// The awslogs driver's stream.
    public func logStream(for task: TrackedTask, container: String?) -> LogStream? { LogStream.of(task, container: container) }
    public func shutdown() async {}
}
