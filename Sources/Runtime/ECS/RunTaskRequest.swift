/// The RunTask request, every field of the API reference. Optional fields left nil are
/// not sent.
public struct RunTaskRequest: Codable, Sendable, Equatable {
    public var capacityProviderStrategy: [CapacityProviderStrategyItem]?
    public var clientToken: String?
    public var cluster: String?
    public var count: Int?
    public var enableECSManagedTags: Bool?
    public var enableExecuteCommand: Bool?
    public var group: String?
    public var launchType: String?
    public var networkConfiguration: NetworkConfiguration?
    public var overrides: TaskOverride?
    public var placementConstraints: [PlacementConstraint]?
    public var placementStrategy: [PlacementStrategy]?
    public var platformVersion: String?
    public var propagateTags: String?
    public var referenceId: String?
    public var startedBy: String?
    public var tags: [Tag]?
    public var taskDefinition: String
    public var volumeConfigurations: [TaskVolumeConfiguration]?

    public init(taskDefinition: String) { self.taskDefinition = taskDefinition }
}

public struct CapacityProviderStrategyItem: Codable, Sendable, Equatable {
    public var capacityProvider: String
    public var weight: Int?
    public var base: Int?
}

public struct NetworkConfiguration: Codable, Sendable, Equatable {
    public var awsvpcConfiguration: AwsVpcConfiguration?
}

public struct AwsVpcConfiguration: Codable, Sendable, Equatable {
    public var subnets: [String]
    public var securityGroups: [String]?
    /// ENABLED or DISABLED.
    public var assignPublicIp: String?
}

public struct PlacementConstraint: Codable, Sendable, Equatable {
    /// distinctInstance or memberOf.
    public var type: String?
    public var expression: String?
}

public struct PlacementStrategy: Codable, Sendable, Equatable {
    /// random, spread or binpack.
    public var type: String?
    public var field: String?
}

public struct Tag: Codable, Sendable, Equatable {
    public var key: String?
    public var value: String?
}

/// An Amazon EBS volume configured at launch.
public struct TaskVolumeConfiguration: Codable, Sendable, Equatable {
    public var name: String
    public var managedEBSVolume: TaskManagedEBSVolumeConfiguration?
}

public struct TaskManagedEBSVolumeConfiguration: Codable, Sendable, Equatable {
    public var encrypted: Bool?
    public var kmsKeyId: String?
    public var volumeType: String?
    public var sizeInGiB: Int?
    public var snapshotId: String?
    public var volumeInitializationRate: Int?
    public var iops: Int?
    public var throughput: Int?
    public var tagSpecifications: [EBSTagSpecification]?
    public var roleArn: String
    public var terminationPolicy: TaskManagedEBSVolumeTerminationPolicy?
    public var filesystemType: String?
}

public struct EBSTagSpecification: Codable, Sendable, Equatable {
    public var resourceType: String
    public var tags: [Tag]?
    public var propagateTags: String?
}

public struct TaskManagedEBSVolumeTerminationPolicy: Codable, Sendable, Equatable {
    public var deleteOnTermination: Bool
}
