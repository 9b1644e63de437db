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
    public var availabilityZone: String?
    /// The task's elastic network interface (awsvpc), among others.
    public var attachments: [Attachment]?
    /// HEALTHY, UNHEALTHY or UNKNOWN, from the containers' health checks.
    public var healthStatus: String?
    public var pullStartedAt: Date?
    public var pullStoppedAt: Date?
    public var ephemeralStorage: EphemeralStorage?

    public init(taskArn: String? = nil) { self.taskArn = taskArn }

    /// The private IPv4 address of the task's network interface (awsvpc), else of its
    /// first container that reports one.
    public var privateIPv4Address: String? {
        let eni = attachments?.first { $0.type == "ElasticNetworkInterface" }
        if let ip = eni?.details?.first(where: { $0.name == "privateIPv4Address" })?.value { return ip }
        return containers?.lazy.compactMap { $0.networkInterfaces?.first?.privateIpv4Address }.first
    }

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
    public var imageDigest: String?
    public var networkBindings: [NetworkBinding]?
    public var networkInterfaces: [NetworkInterface]?
    /// HEALTHY, UNHEALTHY or UNKNOWN.
    public var healthStatus: String?

    public init(name: String? = nil) { self.name = name }
}

/// A resource attached to a task: its elastic network interface, say.
public struct Attachment: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var name: String?
        public var value: String?
    }

    public var id: String?
    public var type: String?
    public var status: String?
    public var details: [Detail]?
}

/// A container port mapped to a host port (bridge and host network modes).
public struct NetworkBinding: Codable, Sendable, Equatable {
    public var bindIP: String?
    public var containerPort: Int?
    public var hostPort: Int?
    public var `protocol`: String?
}

/// A container's network interface as DescribeTasks reports it.
public struct NetworkInterface: Codable, Sendable, Equatable {
    public var attachmentId: String?
    public var privateIpv4Address: String?
    public var ipv6Address: String?
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
