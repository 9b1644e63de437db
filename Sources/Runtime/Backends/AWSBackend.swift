import Foundation
import Lang

/// ECS and CloudWatch Logs over the AWS API.
public struct AWSBackend: Backend {
    let caller: any AWSCaller

    public init(caller: any AWSCaller) { self.caller = caller }

    public func registerTaskDefinition(_ definition: Value) async throws -> TaskDefinitionDescription {
        let body = try JSON.encode(definition)
        let out = try await caller.call(.ecs, "RegisterTaskDefinition", body: Array(body.utf8))
        return try decodeTaskDefinition(out, operation: "RegisterTaskDefinition")
    }

    public func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription {
        let out = try await send(.ecs, "DescribeTaskDefinition", DescribeTaskDefinitionRequest(taskDefinition: name))
        return try decodeTaskDefinition(out, operation: "DescribeTaskDefinition")
    }

    public func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse {
        try WireJSON.decode(ListTaskDefinitionsResponse.self, try await send(.ecs, "ListTaskDefinitions", request),
                            operation: "ListTaskDefinitions")
    }

    public func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
        try WireJSON.decode(RunTaskResponse.self, try await send(.ecs, "RunTask", request), operation: "RunTask")
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        let request = DescribeTasksRequest(cluster: cluster, tasks: tasks)
        return try WireJSON.decode(DescribeTasksResponse.self, try await send(.ecs, "DescribeTasks", request),
                                   operation: "DescribeTasks")
    }

    public func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        let request = StopTaskRequest(cluster: cluster, task: task, reason: reason)
        return try WireJSON.decode(StopTaskResponse.self, try await send(.ecs, "StopTask", request),
                                   operation: "StopTask").task
    }

    public func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        try WireJSON.decode(ListTasksResponse.self, try await send(.ecs, "ListTasks", request), operation: "ListTasks")
    }

    public func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        // A container may log to another region (awslogs-region): read it there.
        if let region = request.region, let client = caller as? AWSClient, region != client.region {
            let body = try WireJSON.encode(request)
            return try WireJSON.decode(GetLogEventsResponse.self, try await client.inRegion(region).call(.logs, "GetLogEvents", body: body),
                                       operation: "GetLogEvents")
        }
        return try WireJSON.decode(GetLogEventsResponse.self, try await send(.logs, "GetLogEvents", request),
                                   operation: "GetLogEvents")
    }

    private func send<T: Encodable>(_ service: AWSService, _ operation: String, _ request: T) async throws -> [UInt8] {
        try await caller.call(service, operation, body: try WireJSON.encode(request))
    }

    private func decodeTaskDefinition(_ bytes: [UInt8], operation: String) throws -> TaskDefinitionDescription {
        guard let td = try WireJSON.decode(TaskDefinitionResponse.self, bytes, operation: operation).taskDefinition else {
            throw AWSResponseError(operation: operation, message: "the response has no taskDefinition")
        }
        return td
    }
}

/// The JSON the AWS wire uses: sorted keys (so a dry run prints what would be sent,
/// byte for byte), timestamps as epoch seconds.
public enum WireJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], operation: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(bytes.isEmpty ? Array("{}".utf8) : bytes))
        } catch {
            throw AWSResponseError(operation: operation, message: "the response could not be read: \(error)")
        }
    }
}

/// A response that arrived but did not have the expected shape.
public struct AWSResponseError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String
    public var description: String { "\(operation): \(message)" }
}
