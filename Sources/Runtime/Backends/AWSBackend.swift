import Foundation

/// ECS and CloudWatch Logs over the AWS API.
public struct AWSBackend: Backend {
    let caller: any AWSCaller

    public init(caller: any AWSCaller) { self.caller = caller }

    public func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
        let out = try await caller.call(.ecs, "RegisterTaskDefinition", body: WireJSON.encode(definition))
        return try decodeTaskDefinition(out, operation: "RegisterTaskDefinition")
    }

    public func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription {
        let out = try await about("task definition \(name)") {
            try await send(.ecs, "DescribeTaskDefinition", DescribeTaskDefinitionRequest(taskDefinition: name))
        }
        return try decodeTaskDefinition(out, operation: "DescribeTaskDefinition")
    }

    public func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse {
        try WireJSON.decode(ListTaskDefinitionsResponse.self, try await send(.ecs, "ListTaskDefinitions", request),
                            operation: "ListTaskDefinitions")
    }

    public func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
        try WireJSON.decode(RunTaskResponse.self, try await about(cluster: request.cluster) { try await send(.ecs, "RunTask", request) },
                            operation: "RunTask")
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        // Tags come only when asked for; a Task record shows them.
        let request = DescribeTasksRequest(cluster: cluster, tasks: tasks, include: ["TAGS"])
        return try WireJSON.decode(DescribeTasksResponse.self, try await about(cluster: cluster) { try await send(.ecs, "DescribeTasks", request) },
                                   operation: "DescribeTasks")
    }

    public func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        let request = StopTaskRequest(cluster: cluster, task: task, reason: reason)
        return try WireJSON.decode(StopTaskResponse.self, try await about(cluster: cluster) { try await send(.ecs, "StopTask", request) },
                                   operation: "StopTask").task
    }

    public func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        try WireJSON.decode(ListTasksResponse.self, try await about(cluster: request.cluster) { try await send(.ecs, "ListTasks", request) },
                            operation: "ListTasks")
    }

    public func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        let stream = "log group \(request.logGroupName) stream \(request.logStreamName)"
        // A container may log to another region (awslogs-region): read it there.
        if let region = request.region, let client = caller as? AWSClient, region != client.region {
            let body = try WireJSON.encode(request)
            return try WireJSON.decode(GetLogEventsResponse.self,
                                       try await about(stream) { try await client.inRegion(region).call(.logs, "GetLogEvents", body: body) },
                                       operation: "GetLogEvents")
        }
        return try WireJSON.decode(GetLogEventsResponse.self, try await about(stream) { try await send(.logs, "GetLogEvents", request) },
                                   operation: "GetLogEvents")
    }

    private func send<T: Encodable>(_ service: AWSService, _ operation: String, _ request: T) async throws -> [UInt8] {
        try await caller.call(service, operation, body: try WireJSON.encode(request))
    }

    /// Names the resource in an AWS error whose message does not (`Unable to describe task
    /// definition.`, `The specified log group does not exist.`).
    private func about<T>(_ resource: String, _ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch var e as AWSError {
            if e.resource == nil { e.resource = resource }
            throw e
        }
    }

    private func about<T>(cluster: String?, _ call: () async throws -> T) async throws -> T {
        try await about("cluster \(cluster ?? "default")", call)
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
        encodings?.count()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(value))
    }

    /// A document as the user wrote it, in its own order: a task definition is sent as written.
    public static func encode(_ document: JSONValue) -> [UInt8] {
        encodings?.count()
        return Array(document.text.utf8)
    }

    /// Counts the encodings made in a task and the tasks it starts, so a test can show that
    /// a request is encoded once on its way to the wire. Nil, and free, everywhere else.
    @TaskLocal public static var encodings: EncodingCounter?

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
