import Foundation
import Lang
import Synchronization
@testable import Runtime

/// A backend that records every call and answers from simple rules: tasks start
/// RUNNING and stay there unless `stopAfter` describes have passed.
final class FakeBackend: Backend {
    private let state = Mutex<(calls: [String], runs: [RunTaskRequest], describes: Int)>(([], [], 0))
    let definition: TaskDefinitionDescription
    /// After this many DescribeTasks calls tasks answer STOPPED with exit code `exitCode`; nil: never.
    let stopAfter: Int?
    let exitCode: Int

    init(containers: [String] = ["app", "sidecar"], networkMode: String? = nil, compatibilities: [String]? = nil,
         stopAfter: Int? = 1, exitCode: Int = 0) {
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
    var runs: [RunTaskRequest] { state.withLock { $0.runs } }

    private func record(_ call: String) { state.withLock { $0.calls.append(call) } }

    func registerTaskDefinition(_ definition: Value) async throws -> TaskDefinitionDescription {
        record("RegisterTaskDefinition")
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
        state.withLock { $0.runs.append(request) }
        let n = request.count ?? 1
        let tasks = (0..<n).map { i -> ECSTask in
            var t = ECSTask(taskArn: "arn:aws:ecs:us-east-1:123456789012:task/\(request.cluster ?? "default")/\(UUID().uuidString.prefix(8))\(i)")
            t.lastStatus = "PROVISIONING"
            t.containers = definition.containerNames.map { Container(name: $0) }
            return t
        }
        return RunTaskResponse(tasks: tasks, failures: [])
    }

    func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        record("DescribeTasks")
        let n = state.withLock { s -> Int in s.describes += 1; return s.describes }
        let stopped = stopAfter.map { n >= $0 } ?? false
        return DescribeTasksResponse(tasks: tasks.map { arn in
            var t = ECSTask(taskArn: arn)
            t.lastStatus = stopped ? "STOPPED" : "RUNNING"
            t.containers = definition.containerNames.map { name in
                var c = Container(name: name)
                c.exitCode = stopped ? exitCode : nil
                return c
            }
            return t
        }, failures: [])
    }

    func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        record("StopTask")
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
