#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
@testable import Runtime

/// A tiny HTTP/1.1 server on 127.0.0.1, on a port the kernel picks, for tests only. It
/// answers each request with what the handler returns, one request per connection, and
/// records every request it saw.
final class LoopbackHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        /// The request target: path and query.
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// The body's `a=b&c=d` pairs, percent-decoded.
        var form: [String: String] {
            var out: [String: String] = [:]
            for pair in bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                out[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return out
        }
    }

    typealias Handler = @Sendable (Request) -> HTTPResponse

    let port: Int
    private let listener: Int32
    private let recorded = Locked<[Request]>([])
    private let stopped = Locked(false)

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var requests: [Request] { recorded.withLock { $0 } }

    init(handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXFailure("bind/listen")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: actual.sin_port))

        let recorded = self.recorded
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                if let request = Self.readRequest(client) {
                    recorded.withLock { $0.append(request) }
                    Self.write(handler(request), to: client)
                }
                close(client)
            }
        }
        thread.start()
    }

    /// Answers every request with the responses in order, the last one repeating.
    convenience init(responses: [HTTPResponse]) throws {
        let remaining = Locked(responses)
        try self.init { _ in
            remaining.withLock { list in list.count > 1 ? list.removeFirst() : (list.first ?? HTTPResponse(status: 500)) }
        }
    }

    func stop() {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private static func readRequest(_ fd: Int32) -> Request? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { return nil }
            data += buffer[0..<n]
            headerEnd = find([13, 10, 13, 10], in: data)
        }
        guard let end = headerEnd else { return nil }
        let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        var body = Array(data[(end + 4)...])
        while body.count < length {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            body += buffer[0..<n]
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers,
                       body: Array(body.prefix(length)))
    }

    private static func write(_ response: HTTPResponse, to fd: Int32) {
        var head = "HTTP/1.1 \(response.status) Scripted\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            guard n > 0 else { return }
            sent += n
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

/// A value behind a lock, in a class so escaping closures can share it.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

#if os(Linux)
let noSignal = Int32(MSG_NOSIGNAL)
#else
let noSignal: Int32 = 0
#endif

struct POSIXFailure: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String) {
        self.call = call
        self.code = errno
    }
    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
