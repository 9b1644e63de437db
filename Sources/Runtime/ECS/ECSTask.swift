import Foundation

/// A task as DescribeTasks and RunTask return it (the fields ecsh reads).
public struct ECSTask: Codable, Sendable, Equatable {
    public var taskArn: String?
    public var clusterArn: String?
    public var taskDefinitionArn: String?
    public var lastStatus: String?
    public var desiredStatus: String?
    public var stopCode: String?
    public var stoppedReason: String?
    public var containers: [Container]?
    public var startedBy: String?
    public var group: String?
    public var launchType: String?
    public var capacityProviderName: String?
    public var platformVersion: String?
    public var cpu: String?
    public var memory: String?
    public var createdAt: Date?
    public var startedAt: Date?
    public var stoppingAt: Date?
    public var stoppedAt: Date?
    public var overrides: TaskOverride?
    public var tags: [Tag]?

    public init(taskArn: String? = nil) { self.taskArn = taskArn }

    /// The last part of the ARN, as the console shows it.
    public var id: String? { taskArn.map { String($0.split(separator: "/").last ?? Substring($0)) } }

    public var isStopped: Bool { lastStatus == "STOPPED" }
}

/// One container of a task.
public struct Container: Codable, Sendable, Equatable {
    public var containerArn: String?
    public var name: String?
    public var lastStatus: String?
    public var exitCode: Int?
    public var reason: String?
    public var image: String?
    public var runtimeId: String?

    public init(name: String? = nil) { self.name = name }
}

/// A task RunTask could not place, or one DescribeTasks could not find.
public struct Failure: Codable, Sendable, Equatable {
    public var arn: String?
    public var reason: String?
    public var detail: String?

    public init(arn: String? = nil, reason: String? = nil, detail: String? = nil) {
        self.arn = arn
        self.reason = reason
        self.detail = detail
    }
}

public struct RunTaskResponse: Codable, Sendable {
    public var tasks: [ECSTask]?
    public var failures: [Failure]?
}

public struct DescribeTasksRequest: Codable, Sendable {
    public var cluster: String?
    public var tasks: [String]
    public var include: [String]?
}

public struct DescribeTasksResponse: Codable, Sendable {
    public var tasks: [ECSTask]?
    public var failures: [Failure]?
}

public struct StopTaskRequest: Codable, Sendable {
    public var cluster: String?
    public var task: String
    public var reason: String?
}

public struct StopTaskResponse: Codable, Sendable {
    public var task: ECSTask?
}

public struct ListTasksRequest: Codable, Sendable {
    public var cluster: String?
    public var family: String?
    public var startedBy: String?
    public var desiredStatus: String?
    public var nextToken: String?
    public var maxResults: Int?
}

public struct ListTasksResponse: Codable, Sendable {
    public var taskArns: [String]?
    public var nextToken: String?
}
