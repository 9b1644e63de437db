#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Runtime

/// A tiny HTTP/1.1 server on 127.0.0.1, on a port the kernel picks, for tests only. It
/// answers each request with what the handler returns, one request per connection, one
/// connection at a time, and records every request it saw.
public final class LoopbackHTTPServer: Sendable {
    public typealias Request = WireRequest
    public typealias Handler = @Sendable (Request) -> HTTPResponse

    private let listener: LoopbackListener
    private let recorded: Locked<[Request]>

    public var port: Int { listener.port }
    public var baseURL: URL { listener.baseURL }
    public var requests: [Request] { recorded.withLock { $0 } }

    public init(handler: @escaping Handler) throws {
        let recorded = Locked<[Request]>([])
        self.recorded = recorded
        listener = try LoopbackListener(concurrent: false) { client in
            if let request = HTTPWire.readRequest(client) {
                recorded.withLock { $0.append(request) }
                HTTPWire.write(handler(request), to: client)
            }
            close(client)
        }
    }

    /// Answers every request with the responses in order, the last one repeating.
    public convenience init(responses: [HTTPResponse]) throws {
        let remaining = Locked(responses)
        try self.init { _ in
            remaining.withLock { list in list.count > 1 ? list.removeFirst() : (list.first ?? HTTPResponse(status: 500)) }
        }
    }

    public func stop() { listener.stop() }
}
