import Foundation
import Lang
import Synchronization
@testable import Runtime

/// A backend that records every call and answers from simple rules: tasks start
/// RUNNING and stay there unless `stopAfter` describes have passed.
final class FakeBackend: Backend {
    private let state = Mutex<(calls: [String], runs: [RunTaskRequest], describes: Int, issued: [String])>(([], [], 0, []))
    /// The RunTask call (1-based) that fails with `failRunTaskCode`; nil: none.
    let failRunTaskCall: Int?
    let failRunTaskCode: String
    /// StopTask fails for task ARNs ending with this.
    let failStopSuffix: String?
    let definition: TaskDefinitionDescription
    /// After this many DescribeTasks calls tasks answer STOPPED with exit code `exitCode`; nil: never.
    let stopAfter: Int?
    let exitCode: Int
    /// Exit codes by container name, over `exitCode`.
    let exitCodes: [String: Int]
    /// RunTask places at most this many tasks a call and reports RESOURCE:MEMORY for the rest; nil: all.
    let placeAtMost: Int?
    /// How long each RunTask takes, so that calls overlap.
    let runTaskDelay: Duration?
    private let inFlight = Mutex((now: 0, most: 0))
    private let registered = Mutex<[JSONValue]>([])
    /// The task definitions RegisterTaskDefinition was given, in order.
    var registeredDefinitions: [JSONValue] { registered.withLock { $0 } }
    /// The most RunTask calls that were in flight at once.
    var mostConcurrentRunTasks: Int { inFlight.withLock { $0.most } }

    init(containers: [String] = ["app", "sidecar"], networkMode: String? = nil, compatibilities: [String]? = nil,
         stopAfter: Int? = 1, exitCode: Int = 0, exitCodes: [String: Int] = [:], placeAtMost: Int? = nil,
         failRunTaskCall: Int? = nil, failRunTaskCode: String = "ThrottlingException", failStopSuffix: String? = nil,
         runTaskDelay: Duration? = nil) {
        self.failRunTaskCode = failRunTaskCode
        self.runTaskDelay = runTaskDelay
        self.exitCodes = exitCodes
        self.placeAtMost = placeAtMost
        self.failRunTaskCall = failRunTaskCall
        self.failStopSuffix = failStopSuffix
        var td = TaskDefinitionDescription(taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/app:7",
                                           family: "app", revision: 7)
        td.networkMode = networkMode
        td.requiresCompatibilities = compatibilities
        td.containerDefinitions = containers.map { ContainerDefinition(name: $0, essential: true) }
        definition = td
        self.stopAfter = stopAfter
        self.exitCode = exitCode
    }

    var calls: [String] { state.withLock { $0.calls } }
    /// Its logs are in memory, like the local backend's.
    var logSettleTime: Duration { .zero }
    var runs: [RunTaskRequest] { state.withLock { $0.runs } }

    private func record(_ call: String) { state.withLock { $0.calls.append(call) } }

    func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
        record("RegisterTaskDefinition")
        registered.withLock { $0.append(definition) }
        return self.definition
    }

    func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription {
        record("DescribeTaskDefinition")
        return definition
    }

    func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse {
        record("ListTaskDefinitions")
        return ListTaskDefinitionsResponse(taskDefinitionArns: [definition.taskDefinitionArn ?? ""])
    }

    func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
        record("RunTask")
        inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { inFlight.withLock { $0.now -= 1 } }
        if let runTaskDelay { try await Task.sleep(for: runTaskDelay) }
        let n = state.withLock { s -> Int in s.runs.append(request); return s.runs.count }
        if n == failRunTaskCall {
            throw AWSError(code: failRunTaskCode, message: "Rate exceeded", status: 400, service: .ecs, operation: "RunTask")
        }
        let asked = request.count ?? 1
        let count = min(asked, placeAtMost ?? asked)
        let tasks = (0..<count).map { i -> ECSTask in
            var t = ECSTask(taskArn: "arn:aws:ecs:us-east-1:123456789012:task/\(request.cluster ?? "default")/\(UUID().uuidString.prefix(8).lowercased())\(i)")
            t.taskDefinitionArn = definition.taskDefinitionArn
            t.lastStatus = "PROVISIONING"
            t.containers = definition.containerNames.map { Container(name: $0) }
            return t
        }
        state.withLock { $0.issued += tasks.compactMap(\.taskArn) }
        let failures = count < asked ? [Failure(arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/x", reason: "RESOURCE:MEMORY")] : []
        return RunTaskResponse(tasks: tasks, failures: failures)
    }

    func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        record("DescribeTasks")
        let n = state.withLock { s -> Int in s.describes += 1; return s.describes }
        let stopped = stopAfter.map { n >= $0 } ?? false
        let issued = state.withLock { $0.issued }
        // Like ECS: a task may be named by id or ARN; the answer carries the full ARN.
        let known = tasks.compactMap { ref in issued.first { $0 == ref || $0.hasSuffix("/" + ref) } }
        let unknown = tasks.filter { ref in !issued.contains { $0 == ref || $0.hasSuffix("/" + ref) } }
        return DescribeTasksResponse(tasks: known.map { arn in
            var t = ECSTask(taskArn: arn)
            t.taskDefinitionArn = definition.taskDefinitionArn
            t.lastStatus = stopped ? "STOPPED" : "RUNNING"
            t.containers = definition.containerNames.map { name in
                var c = Container(name: name)
                c.exitCode = stopped ? (exitCodes[name] ?? exitCode) : nil
                return c
            }
            return t
        }, failures: unknown.map { Failure(arn: $0, reason: "MISSING") })
    }

    func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        record("StopTask")
        if let suffix = failStopSuffix, task.hasSuffix(suffix) {
            throw AWSError(code: "InvalidParameterException", message: "no such task", status: 400, service: .ecs, operation: "StopTask")
        }
        var t = ECSTask(taskArn: task)
        t.lastStatus = "STOPPED"
        t.stopCode = "UserInitiated"
        t.stoppedReason = reason
        return t
    }

    func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        record("ListTasks")
        return ListTasksResponse(taskArns: [])
    }

    func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        record("GetLogEvents")
        return GetLogEventsResponse(events: [], nextForwardToken: request.nextToken ?? "f/1")
    }
}

extension JSONValue {
    /// JSON text as the runtime holds it, read as the command line reads a flag's JSON.
    static func parse(_ text: String) throws -> JSONValue { try JSONValue(script: JSON.decode(text)) }
}
