import Foundation

/// `--dry-run`: mutating calls (RegisterTaskDefinition, RunTask, StopTask) are printed as
/// the exact JSON they would send, secret-looking values masked as `--debug` masks them,
/// and not sent; reads go to the real backend, if any.
public struct DryRunBackend: Backend {
    let reads: (any Backend)?
    /// Why there is no backend to read from, for the error a read then raises.
    let noReadsReason: String
    let print: @Sendable (String) -> Void

    /// `reads` answers describe/list calls; nil means there is nothing to ask (they fail,
    /// saying `noReadsReason`).
    public init(reads: (any Backend)?, noReadsReason: String = "no AWS settings", print: @escaping @Sendable (String) -> Void) {
        self.reads = reads
        self.noReadsReason = noReadsReason
        self.print = print
    }

    /// ARNs of placeholder tasks and task definitions start with this.
    public static let arnPrefix = "dry-run:"

    public static func isPlaceholder(_ arn: String?) -> Bool { arn?.hasPrefix(arnPrefix) ?? false }

    public func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
        let body = WireJSON.encode(definition)
        print("dry-run: RegisterTaskDefinition \(DebugLog.redactBody(body))")
        var td = (try? WireJSON.decode(TaskDefinitionDescription.self, body, operation: "RegisterTaskDefinition"))
            ?? TaskDefinitionDescription()
        // The family runs its latest revision, which is what this registration would make.
        td.taskDefinitionArn = td.family ?? "task"
        td.revision = 0
        td.status = "ACTIVE"
        return td
    }

    public func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
        print("dry-run: RunTask \(DebugLog.redactBody(try WireJSON.encode(request)))")
        let cluster = request.cluster ?? "default"
        let tasks = (0..<(request.count ?? 1)).map { i -> ECSTask in
            var t = ECSTask(taskArn: "\(Self.arnPrefix)task/\(cluster)/\(UUID().uuidString.lowercased().prefix(8))-\(i)")
            t.lastStatus = "DRY_RUN"
            t.desiredStatus = "STOPPED"
            t.taskDefinitionArn = request.taskDefinition
            t.startedBy = request.startedBy
            t.group = request.group
            t.launchType = request.launchType
            return t
        }
        return RunTaskResponse(tasks: tasks, failures: [])
    }

    public func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        let request = StopTaskRequest(cluster: cluster, task: task, reason: reason)
        print("dry-run: StopTask \(DebugLog.redactBody(try WireJSON.encode(request)))")
        return nil
    }

    public func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription {
        try await base().describeTaskDefinition(name)
    }

    public func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse {
        try await base().listTaskDefinitions(request)
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        let real = tasks.filter { !Self.isPlaceholder($0) }
        return real.isEmpty ? DescribeTasksResponse(tasks: [], failures: [])
            : try await base().describeTasks(cluster: cluster, tasks: real)
    }

    public func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        try await base().listTasks(request)
    }

    public func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        try await base().getLogEvents(request)
    }

    public func logStream(for task: TrackedTask, container: String?) -> LogStream? {
        reads?.logStream(for: task, container: container) ?? LogStream.of(task, container: container)
    }

    public func logStreams(for task: TrackedTask) -> [(container: String, stream: LogStream)] {
        reads?.logStreams(for: task) ?? []
    }

    public var logReadsPerSecond: Double? { reads?.logReadsPerSecond ?? 10 }
    public var logSettleTime: Duration { reads?.logSettleTime ?? .zero }

    public func shutdown() async { await reads?.shutdown() }

    private func base() throws -> any Backend {
        guard let reads else {
            throw DryRunWithoutReads(reason: noReadsReason)
        }
        return reads
    }
}

/// A dry run asked to read from AWS when it has none to read from.
public struct DryRunWithoutReads: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "a dry run needs AWS to read from, and has none: \(reason)" }
}
