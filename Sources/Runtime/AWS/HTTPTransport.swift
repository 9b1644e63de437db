import Foundation

/// One HTTP request as the AWS layer builds, signs and sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// In the order they are sent; names as written (signing lowercases them).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "POST", url: URL, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// What came back.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends requests. The real one is async-http-client; tests script their own to produce
/// the faults a real server will not (throttling, 5xx, dropped connections).
public protocol HTTPTransport: Sendable {
    /// Sends one request and returns the response, whatever its status.
    /// Throws `TransportError` when no response arrived.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}

/// A request that got no response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Nothing reached the server (refused, DNS, TLS handshake): always safe to retry.
        case connect
        /// The connection broke or timed out after the request may have been sent.
        case dropped
        /// No response within the request timeout.
        case timeout
    }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
