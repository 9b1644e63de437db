import Foundation
import Lang

/// Follows the awslogs streams of the watched containers of some tasks and prints new
/// lines as they arrive, prefixed with the task id when there are several.
actor LogTailer {
    private let session: ECSSession
    private let keys: [String]
    private let container: String?
    private var tokens: [String: String] = [:]
    private var lines: [String: [String]] = [:]

    init(session: ECSSession, keys: [String], container: String? = nil) {
        self.session = session
        self.keys = keys
        self.container = container
    }

    func run() async {
        while !Task.isCancelled {
            await readAll()
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// One last read for every task.
    func drain() async { await readAll() }

    /// The lines read so far for one task.
    func collected(_ key: String) -> [String] { lines[key] ?? [] }

    private func readAll() async {
        guard let backend = try? await session.backend() else { return }
        for key in keys {
            guard let t = session.registry[key], t.hasStarted, let stream = backend.logStream(for: t, container: container) else { continue }
            let prefix = keys.count > 1 ? "[\(t.task.id?.prefix(8) ?? "?")] " : ""
            do {
                let (new, token) = try await LogStream.read(stream, after: tokens[key], session: session)
                tokens[key] = token
                lines[key, default: []] += new
                for line in new { session.output(prefix + line + "\n") }
            } catch {
                // The stream may not exist until the container writes: try again next round.
                continue
            }
        }
    }
}

/// Where a task's container logs go: a CloudWatch Logs group and stream.
public struct LogStream: Sendable, Equatable {
    public var group: String
    public var name: String

    public init(group: String, name: String) {
        self.group = group
        self.name = name
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
        return LogStream(group: group, name: prefix.map { "\($0)/\(cname)/\(id)" } ?? id)
    }

    /// Every event after `token`, following pages until the token comes back unchanged.
    static func read(_ stream: LogStream, after token: String?, session: ECSSession) async throws -> ([String], String?) {
        let backend = try await session.backend()
        var token = token
        var out: [String] = []
        while true {
            let answer = try await backend.getLogEvents(GetLogEventsRequest(
                logGroupName: stream.group, logStreamName: stream.name, startFromHead: true, nextToken: token))
            out += (answer.events ?? []).compactMap(\.message)
            if answer.nextForwardToken == nil || answer.nextForwardToken == token { return (out, token) }
            token = answer.nextForwardToken
        }
    }
}
