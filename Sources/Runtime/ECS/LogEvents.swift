/// CloudWatch Logs GetLogEvents.
public struct GetLogEventsRequest: Codable, Sendable {
    public var logGroupName: String
    public var logStreamName: String
    public var startFromHead: Bool?
    public var nextToken: String?
    public var limit: Int?
    /// The stream's region (the container's `awslogs-region`), where it is not the client's;
    /// not part of the request body.
    public var region: String? = nil

    enum CodingKeys: String, CodingKey {
        case logGroupName, logStreamName, startFromHead, nextToken, limit
    }
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
