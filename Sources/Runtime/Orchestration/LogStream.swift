import Foundation

/// Where a task's container logs go: a CloudWatch Logs group and stream.
public struct LogStream: Sendable, Equatable {
    public var group: String
    public var name: String
    /// The container's `awslogs-region`; nil: the client's.
    public var region: String?

    public init(group: String, name: String, region: String? = nil) {
        self.group = group
        self.name = name
        self.region = region
    }

    /// `<awslogs-stream-prefix>/<container>/<task-id>` in `awslogs-group`, for the given
    /// container or the watched one.
    public static func of(_ t: TrackedTask, container: String? = nil) -> LogStream? {
        guard let id = t.task.id, let def = t.definition else { return nil }
        let name = container ?? t.watch ?? def.watchedContainer
        guard let c = (def.containerDefinitions ?? []).first(where: { $0.name == name }),
              let config = c.logConfiguration, config.logDriver == "awslogs",
              let group = config.options?["awslogs-group"], let cname = c.name else { return nil }
        let prefix = config.options?["awslogs-stream-prefix"]
        return LogStream(group: group, name: prefix.map { "\($0)/\(cname)/\(id)" } ?? id, region: config.options?["awslogs-region"])
    }

    /// Every event after `token`, following pages until the token comes back unchanged.
    static func read(_ stream: LogStream, after token: String?, session: ECSSession) async throws -> ([String], String?) {
        let backend = try await session.backend()
        var token = token
        var out: [String] = []
        while true {
            try await session.logReads.acquire(limit: backend.logReadsPerSecond)
            let answer = try await backend.getLogEvents(GetLogEventsRequest(
                logGroupName: stream.group, logStreamName: stream.name, startFromHead: true, nextToken: token, region: stream.region))
            out += (answer.events ?? []).compactMap(\.message)
            if answer.nextForwardToken == nil || answer.nextForwardToken == token { return (out, token) }
            token = answer.nextForwardToken
        }
    }
}
