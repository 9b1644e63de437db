/// CloudWatch Logs GetLogEvents.
public struct GetLogEventsRequest: Codable, Sendable {
    public var logGroupName: String
    public var logStreamName: String
    public var startFromHead: Bool?
    public var nextToken: String?
    public var limit: Int?
}

public struct GetLogEventsResponse: Codable, Sendable {
    public var events: [OutputLogEvent]?
    public var nextForwardToken: String?
    public var nextBackwardToken: String?
}

public struct OutputLogEvent: Codable, Sendable, Equatable {
    /// Milliseconds since the epoch.
    public var timestamp: Int?
    public var message: String?
}
