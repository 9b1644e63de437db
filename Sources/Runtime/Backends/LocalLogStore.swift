import Foundation
import Synchronization

/// The lines local containers wrote, per stream, in the order they were read.
final class LocalLogStore: Sendable {
    private let streams = Mutex<[String: [OutputLogEvent]]>([:])

    static func key(_ group: String, _ stream: String) -> String { "\(group)\u{0}\(stream)" }

    func append(group: String, stream: String, line: String) {
        let event = OutputLogEvent(timestamp: Int(Date().timeIntervalSince1970 * 1000), message: line)
        streams.withLock { $0[Self.key(group, stream), default: []].append(event) }
    }

    /// Events from `token` on. Tokens are `f/<index>`; the same token back means no news,
    /// as CloudWatch Logs answers.
    func read(group: String, stream: String, token: String?) -> GetLogEventsResponse? {
        streams.withLock { all in
            guard let events = all[Self.key(group, stream)] else { return nil }
            let start = token.flatMap { Int($0.dropFirst(2)) } ?? 0
            let slice = start < events.count ? Array(events[start...]) : []
            return GetLogEventsResponse(events: slice, nextForwardToken: "f/\(events.count)", nextBackwardToken: "b/\(start)")
        }
    }
}
