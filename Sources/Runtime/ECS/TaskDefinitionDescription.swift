/// The parts of a registered task definition that ecsh checks against and reads logs by.
public struct TaskDefinitionDescription: Codable, Sendable, Equatable {
    public var taskDefinitionArn: String?
    public var family: String?
    public var revision: Int?
    public var status: String?
    public var networkMode: String?
    public var requiresCompatibilities: [String]?
    public var cpu: String?
    public var memory: String?
    public var containerDefinitions: [ContainerDefinition]?

    public init(taskDefinitionArn: String? = nil, family: String? = nil, revision: Int? = nil) {
        self.taskDefinitionArn = taskDefinitionArn
        self.family = family
        self.revision = revision
    }

    public var containerNames: [String] { (containerDefinitions ?? []).compactMap(\.name) }

    /// The container a task's exit code is read from: the first essential one.
    public var watchedContainer: String? {
        let defs = containerDefinitions ?? []
        return (defs.first { $0.essential ?? true } ?? defs.first)?.name
    }
}

public struct ContainerDefinition: Codable, Sendable, Equatable {
    public var name: String?
    public var image: String?
    /// ECS treats a missing value as true.
    public var essential: Bool?
    public var command: [String]?
    public var logConfiguration: LogConfiguration?
}

public struct LogConfiguration: Codable, Sendable, Equatable {
    public var logDriver: String?
    public var options: [String: String]?
}

public struct DescribeTaskDefinitionRequest: Codable, Sendable {
    public var taskDefinition: String
}

/// RegisterTaskDefinition and DescribeTaskDefinition answer with this.
public struct TaskDefinitionResponse: Codable, Sendable {
    public var taskDefinition: TaskDefinitionDescription?
}

public struct ListTaskDefinitionsRequest: Codable, Sendable {
    public var familyPrefix: String?
    public var status: String?
    public var sort: String?
    public var nextToken: String?
    public var maxResults: Int?
}

public struct ListTaskDefinitionsResponse: Codable, Sendable {
    public var taskDefinitionArns: [String]?
    public var nextToken: String?
}
