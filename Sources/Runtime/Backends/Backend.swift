/// Where tasks run: ECS through the AWS API, or host processes with `--local`.
/// The orchestration and the built-ins see only this.
public protocol Backend: Sendable {
    /// RegisterTaskDefinition with the definition as the user wrote it (an object).
    func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription
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
    /// Every container of the task that has a log stream, in definition order.
    func logStreams(for task: TrackedTask) -> [(container: String, stream: LogStream)]
    /// How many GetLogEvents calls a second log followers may make; nil: no limit.
    var logReadsPerSecond: Double? { get }
    /// How long after a task stops its last log lines may take to become readable.
    var logSettleTime: Duration { get }
    /// Ends what the backend runs itself (local processes); AWS tasks are not touched.
    func shutdown() async
}

extension Backend {
    /// The AWS client for read calls outside ECS (the ssm, secretsmanager and tfstate
    /// template functions), the one the backend's own calls use. Throws when there is none.
    public func awsReader() throws -> any AWSCaller {
        if let aws = self as? AWSBackend { return aws.caller }
        if let dry = self as? DryRunBackend {
            guard let reads = dry.reads else { throw AWSSetupError("no AWS to read from: \(dry.noReadsReason)") }
            return try reads.awsReader()
        }
        throw AWSSetupError("there is no AWS client here (--local runs tasks without AWS)")
    }

    /// The awslogs driver's stream.
    public func logStream(for task: TrackedTask, container: String?) -> LogStream? { LogStream.of(task, container: container) }
    public func shutdown() async {}
    public func logStreams(for task: TrackedTask) -> [(container: String, stream: LogStream)] {
        (task.definition?.containerDefinitions ?? []).compactMap { c in
            guard let name = c.name, let stream = LogStream.of(task, container: name) else { return nil }
            return (name, stream)
        }
    }
    /// CloudWatch Logs allows 25 GetLogEvents a second an account and region; leave room
    /// for everything else that reads logs there.
    public var logReadsPerSecond: Double? { 10 }
    /// The awslogs driver sends a container's last lines as it stops; give them a moment.
    public var logSettleTime: Duration { .seconds(1) }
}
