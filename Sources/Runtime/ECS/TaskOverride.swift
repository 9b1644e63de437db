/// RunTask's `overrides`: task-level settings and per-container changes.
public struct TaskOverride: Codable, Sendable, Equatable {
    public var containerOverrides: [ContainerOverride]?
    public var cpu: String?
    public var ephemeralStorage: EphemeralStorage?
    public var executionRoleArn: String?
    public var inferenceAcceleratorOverrides: [InferenceAcceleratorOverride]?
    public var memory: String?
    public var taskRoleArn: String?

    public init() {}

    /// The most RunTask accepts, counted over the JSON text of the overrides.
    public static let maxCharacters = 8192
}

public struct ContainerOverride: Codable, Sendable, Equatable {
    public var name: String?
    public var command: [String]?
    public var environment: [KeyValuePair]?
    public var environmentFiles: [EnvironmentFile]?
    public var cpu: Int?
    public var memory: Int?
    public var memoryReservation: Int?
    public var resourceRequirements: [ResourceRequirement]?

    public init(name: String? = nil) { self.name = name }
}

public struct KeyValuePair: Codable, Sendable, Equatable {
    public var name: String?
    public var value: String?
}

public struct EnvironmentFile: Codable, Sendable, Equatable {
    public var value: String
    /// Always `s3`.
    public var type: String
}

public struct ResourceRequirement: Codable, Sendable, Equatable {
    public var value: String
    /// GPU or InferenceAccelerator.
    public var type: String
}

public struct EphemeralStorage: Codable, Sendable, Equatable {
    public var sizeInGiB: Int
}

public struct InferenceAcceleratorOverride: Codable, Sendable, Equatable {
    public var deviceName: String?
    public var deviceType: String?
}
