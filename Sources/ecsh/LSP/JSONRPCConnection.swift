import Foundation

/// JSON-RPC 2.0 messages over a pair of file descriptors with the Language Server
/// Protocol's framing: `Content-Length: N` headers, a blank line, N bytes of JSON.
final class JSONRPCConnection {
    private let input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []

    init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    enum ReadError: Error { case endOfInput, badHeader(String) }

    /// The next message's JSON object; throws at the end of the input.
    func read() throws -> [String: Any] {
        while true {
            guard let headerEnd = find([13, 10, 13, 10]) else {
                try fill()
                continue
            }
            let header = String(decoding: buffer[..<headerEnd], as: UTF8.self)
            var length: Int?
            for line in header.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length" {
                    length = Int(parts[1].trimmingCharacters(in: .whitespaces))
                }
            }
            guard let length, length >= 0 else { throw ReadError.badHeader(header) }
            let bodyStart = headerEnd + 4
            while buffer.count < bodyStart + length { try fill() }
            let body = Data(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            // A message that is not a JSON object is skipped, as the protocol allows nothing else.
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { return object }
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i] == pattern[0] {
            if Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        }
        return nil
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { Foundation.read(input, $0.baseAddress, 65536) }
        if n <= 0 { throw ReadError.endOfInput }
        buffer.append(contentsOf: chunk[..<n])
    }

    /// Sends a message (a response or a notification).
    func send(_ message: [String: Any]) {
        var object = message
        object["jsonrpc"] = "2.0"
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return }
        var bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(output, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }
}
