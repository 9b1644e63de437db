#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Runtime

/// One HTTP/1.1 request as a loopback test server read it.
public struct WireRequest: Sendable {
    public var method: String
    /// The request target: path and query.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    /// The body's `a=b&c=d` pairs, percent-decoded.
    public var form: [String: String] {
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

/// Reading requests from and writing responses to a socket, HTTP/1.1 without chunking:
/// one request per connection.
public enum HTTPWire {
    /// Reads one request. `peek` leaves every byte in the socket, so the request can still
    /// be read again, or left unread when the connection is closed.
    public static func readRequest(_ fd: Int32, peek: Bool = false) -> WireRequest? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var waited = 0
        // The head, then the head and the body: `need` grows once the head is known.
        var need: Int?
        var parsed: (method: String, path: String, headers: [(name: String, value: String)], bodyStart: Int)?
        while need.map({ data.count < $0 }) ?? true {
            if peek {
                // A peek returns from the start each time: ask for more than was seen.
                if buffer.count <= data.count { buffer = [UInt8](repeating: 0, count: data.count * 2) }
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_PEEK))
                guard n > 0, waited < 5000 else { return nil }
                if n == data.count {
                    // Nothing new yet, and a peek does not wait for more than it already saw.
                    usleep(1000)
                    waited += 1
                    continue
                }
                data = Array(buffer[0..<n])
            } else {
                let n = read(fd, &buffer, buffer.count)
                guard n > 0 else { break }
                data += buffer[0..<n]
            }
            if parsed == nil, let end = find([13, 10, 13, 10], in: data) {
                let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let requestLine = head[0].split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                let headers = parseHeaders(head.dropFirst())
                let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
                parsed = (String(requestLine[0]), String(requestLine[1]), headers, end + 4)
                need = end + 4 + length
            }
        }
        guard let parsed, let need else { return nil }
        let body = Array(data[parsed.bodyStart..<min(need, data.count)])
        return WireRequest(method: parsed.method, path: parsed.path, headers: parsed.headers, body: body)
    }

    /// Writes `response` with its full `Content-Length`; `bodyBytes` sends only that many
    /// bytes of the body (a truncated answer).
    public static func write(_ response: HTTPResponse, to fd: Int32, bodyBytes: Int? = nil) {
        var head = "HTTP/1.1 \(response.status) \(response.status < 300 ? "OK" : "Scripted")\r\n"
        for (name, value) in response.headers where !["content-length", "connection", "transfer-encoding"].contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        send(Array(head.utf8) + response.body.prefix(bodyBytes ?? response.body.count), to: fd)
    }

    /// Sends every byte, or as many as the peer takes before it goes away.
    @discardableResult
    public static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, noSignal) }
            #else
            let n = bytes[sent...].withUnsafeBytes { Darwin.send(fd, $0.baseAddress, $0.count, noSignal) }
            #endif
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// `Name: value` lines, values trimmed; lines without a colon are skipped.
    public static func parseHeaders<S: Sequence<String>>(_ lines: S) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return headers
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
