import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The real transport: async-http-client on the shared event loop group.
///
/// It does not retry by itself (connection establishment included): `AWSClient` decides
/// about retries, and it needs to know whether a failure happened before anything was
/// sent (`.connect`) or after (`.dropped`, `.timeout`).
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    /// Largest response body read; AWS answers are far smaller.
    private let maxBodyBytes = 64 * 1024 * 1024

    /// - Parameter connectTimeout: for opening a connection (TCP and TLS).
    public init(connectTimeout: Duration = .seconds(10)) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(connectTimeout)),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes idle connections. Call once before the transport goes away.
    public func shutdown() async {
        try? await client.shutdown()
    }

    // async-http-client traps when a client that was not shut down is freed. A transport
    // dropped without `shutdown()` (a session that ends early, a test) must not crash the
    // process: the detached task keeps the client alive until its shutdown completes.
    deinit {
        let client = self.client
        Task.detached { try? await client.shutdown() }
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        // A `Host` header given here is kept as is: it is the one that was signed.
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))

        let client = self.client
        let prepared = outgoing
        let limit = maxBodyBytes
        let deadline = NIODeadline.now() + Self.timeAmount(timeout)
        do {
            // The deadline of `execute` covers the head only; the race covers the body too.
            return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, deadline: deadline)
                    let body = try await response.body.collect(upTo: limit)
                    return HTTPResponse(status: Int(response.status.code),
                                        headers: response.headers.map { (name: $0.name, value: $0.value) },
                                        body: Array(buffer: body))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw TransportError(.timeout, "no response from \(request.url.absoluteString) within \(timeout)")
                }
                return response
            }
        } catch let error as TransportError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Self.classify(error, url: request.url)
        }
    }

    /// Whether a failure happened before the request could have reached the server.
    static func classify(_ error: any Error, url: URL) -> TransportError {
        let target = url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? url.absoluteString
        let kind: TransportError.Kind
        var what = String(describing: error)
        switch error {
        case let e as HTTPClientError:
            switch e {
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout,
                 .socksHandshakeTimeout, .httpProxyHandshakeTimeout, .invalidURL, .emptyHost, .emptyScheme:
                kind = .connect
            case .readTimeout, .deadlineExceeded, .writeTimeout:
                kind = .timeout
                what = "timed out"
            case .remoteConnectionClosed:
                kind = .dropped
                what = "the server closed the connection without answering"
            default:
                kind = .dropped
            }
        case let e as NIOConnectionError:
            kind = .connect
            if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil {
                what = "could not resolve the host name \(e.host) (check the region and endpoint)"
            } else {
                what = "could not connect: " + (e.connectionErrors.first.map { Self.explain($0.error) } ?? "\(e)")
            }
        case ChannelError.connectTimeout:
            kind = .connect
        case let e as NIOSSLError:
            if case .handshakeFailed = e { kind = .connect } else { kind = .dropped }
        case is NIOSSLExtraError:
            kind = .connect
        case let e as IOError where [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(e.errnoCode):
            kind = .connect
            what = "could not connect: " + explain(e)
        case let e as IOError where [ECONNRESET, EPIPE].contains(e.errnoCode):
            kind = .dropped
            what = "the connection was reset"
        default:
            kind = .dropped
        }
        return TransportError(kind, "\(target): \(what)")
    }

    /// `connection refused` rather than NIO's `connection reset (error set): ...`.
    static func explain(_ error: any Error) -> String {
        guard let e = error as? IOError else { return String(describing: error) }
        return String(cString: strerror(e.errnoCode)).lowercased()
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        let (seconds, attoseconds) = d.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
