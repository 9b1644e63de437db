import Foundation
import Synchronization
import Testing
@testable import Runtime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-thread HTTP/1.1 server on a loopback port chosen by the system, serving a fixed
/// script of connections: enough to see what the transport does with real sockets.
final class LoopbackServer: Sendable {
    enum Behavior: Sendable {
        /// Reads the request and answers with this raw response text.
        case answer(String)
        /// Reads the request and closes the connection without a word.
        case close
        /// Reads the request and waits, silent, until the client goes away.
        case silent
    }

    let port: Int
    private let requests = Mutex<[String]>([])

    init(_ script: [Behavior]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            for behavior in script {
                let conn = accept(fd, nil, nil)
                guard conn >= 0 else { break }
                let request = Self.readRequest(conn)
                requests.withLock { $0.append(request) }
                switch behavior {
                case .answer(let text):
                    let bytes = Array(text.utf8)
                    _ = bytes.withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                case .close:
                    break
                case .silent:
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    while recv(conn, &buffer, buffer.count, 0) > 0 {}
                }
                close(conn)
            }
            close(fd)
        }
        thread.start()
    }

    var received: [String] { requests.withLock { $0 } }

    /// Head and body of one request, as text; the body as long as Content-Length says.
    private static func readRequest(_ conn: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - text[..<end.upperBound].utf8.count >= length { return text }
            }
            let n = recv(conn, &buffer, buffer.count, 0)
            if n <= 0 { return String(decoding: data, as: UTF8.self) }
            data += buffer[0..<n]
        }
    }

    /// A loopback port with nothing listening on it.
    static func closedPort() throws -> Int {
        let server = try LoopbackServer([])
        // The script is empty: the thread closes the socket at once. Wait for that without a clock.
        while true {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(server.port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(probe)
            if result != 0 { return server.port }
            sched_yield()
        }
    }
}

@Suite struct AsyncHTTPTransportTests {
    func url(_ port: Int, _ path: String = "/") throws -> URL {
        try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    }

    @Test func roundTrip() async throws {
        let answer = "{\"__type\":\"ClientException\",\"m\":1}\n"
        let server = try LoopbackServer([.answer(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: r-1\r\n"
                + "Content-Length: \(answer.utf8.count)\r\nConnection: close\r\n\r\n\(answer)")])
        let transport = AsyncHTTPTransport(connectTimeout: .seconds(5))
        let request = HTTPRequest(url: try url(server.port), headers: [
            (name: "Content-Type", value: "application/x-amz-json-1.1"),
            (name: "X-Amz-Target", value: "AmazonEC2ContainerServiceV20141113.ListClusters"),
            (name: "Host", value: "127.0.0.1:\(server.port)"),
        ], body: Array(#"{"cluster":"c"}"#.utf8))
        let result: Result<HTTPResponse, any Error>
        do { result = .success(try await transport.send(request, timeout: .seconds(20))) } catch { result = .failure(error) }
        await transport.shutdown()
        let response = try result.get()
        #expect(response.status == 400)
        #expect(response.header("x-amzn-requestid") == "r-1")
        #expect(String(decoding: response.body, as: UTF8.self) == answer)
        let received = try #require(server.received.first)
        #expect(received.hasPrefix("POST / HTTP/1.1\r\n"))
        #expect(received.contains("X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\n"))
        #expect(received.lowercased().components(separatedBy: "\r\nhost:").count == 2, "exactly one Host header")
        #expect(received.hasSuffix(#"{"cluster":"c"}"#))
    }

    /// What sending to `port` threw.
    func failure(_ port: Int, timeout: Duration = .seconds(20)) async throws -> (any Error)? {
        let request = HTTPRequest(url: try url(port), body: Array("{}".utf8))
        let transport = AsyncHTTPTransport(connectTimeout: .seconds(5))
        var caught: (any Error)?
        do { _ = try await transport.send(request, timeout: timeout) } catch { caught = error }
        await transport.shutdown()
        return caught
    }

    @Test func connectionRefusedIsAConnectFailure() async throws {
        let error = try await failure(try LoopbackServer.closedPort()) as? TransportError
        #expect(error?.kind == .connect)
        #expect(error?.message.contains("127.0.0.1") == true)
        #expect(error?.message.contains("refused") == true)
    }

    @Test func closedWithoutAnswerIsDropped() async throws {
        let server = try LoopbackServer([.close])
        let error = try await failure(server.port) as? TransportError
        #expect(error?.kind == .dropped)
        #expect(server.received.count == 1)
    }

    @Test func silenceIsATimeout() async throws {
        let server = try LoopbackServer([.silent])
        let error = try await failure(server.port, timeout: .milliseconds(300)) as? TransportError
        #expect(error?.kind == .timeout)
    }
}
