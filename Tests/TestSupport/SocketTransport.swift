#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Runtime

/// A blocking HTTP/1.1 client over POSIX sockets, good for loopback and nothing else:
/// IPv4 literals and `localhost` only, no TLS, no chunked bodies. Each request runs on a
/// thread of its own so the cooperative pool is never blocked.
///
/// It refuses link-local addresses (169.254.x.x), so a test that forgot
/// `AWS_EC2_METADATA_DISABLED` fails instead of sending a packet to instance metadata.
public struct SocketTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try Self.exchange(request, timeout: timeout) })
            }
            thread.start()
        }
    }

    public static func exchange(_ request: HTTPRequest, timeout: Duration) throws -> HTTPResponse {
        guard request.url.scheme == "http", var host = request.url.host else {
            throw TransportError(.connect, "SocketTransport speaks plain http only: \(request.url)")
        }
        if host == "localhost" { host = "127.0.0.1" }
        if host.hasPrefix("169.254.") || host.contains(":") {
            throw TransportError(.connect, "SocketTransport refuses \(host): tests must not reach link-local services")
        }
        let port = request.url.port ?? 80

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TransportError(.connect, "socket failed") }
        defer { close(fd) }
        let seconds = max(timeout.components.seconds, 1)
        var limit = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw TransportError(.connect, "SocketTransport needs an IPv4 address, got \(host)")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            throw TransportError(.connect, "connect to \(host):\(port) failed: \(String(cString: strerror(errno)))")
        }

        // URL.path drops a trailing slash, which IMDS's role listing needs.
        let parts = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        var target = parts?.percentEncodedPath ?? ""
        if target.isEmpty { target = "/" }
        if let query = parts?.percentEncodedQuery { target += "?" + query }
        var head = "\(request.method) \(target) HTTP/1.1\r\n"
        if request.header("host") == nil { head += "Host: \(SigV4.hostHeader(request.url))\r\n" }
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
        guard HTTPWire.send(Array(head.utf8) + request.body, to: fd) else {
            throw TransportError(.dropped, "send failed: \(String(cString: strerror(errno)))")
        }

        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { break }
            guard n > 0 else {
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                throw TransportError(timedOut ? .timeout : .dropped, "read failed: \(String(cString: strerror(errno)))")
            }
            data += buffer[0..<n]
        }
        guard let end = HTTPWire.find([13, 10, 13, 10], in: data) else {
            throw TransportError(.dropped, "the response ended inside its headers")
        }
        let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TransportError(.dropped, "bad status line")
        }
        let headers = HTTPWire.parseHeaders(lines.dropFirst())
        var body = Array(data[(end + 4)...])
        if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }) {
            body = Array(body.prefix(length))
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
