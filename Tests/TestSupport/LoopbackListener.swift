#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A TCP listener on 127.0.0.1, on a port the kernel picks, for tests only. A thread
/// accepts connections and hands each one to `serve`, which owns the descriptor and must
/// close it; `concurrent` gives each connection a thread of its own.
public final class LoopbackListener: Sendable {
    public let port: Int
    private let fd: Int32
    private let stopped = Locked(false)

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public init(concurrent: Bool, serve: @escaping @Sendable (Int32) -> Void) throws {
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
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXFailure("bind/listen")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: actual.sin_port))

        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                if concurrent {
                    Thread { serve(client) }.start()
                } else {
                    serve(client)
                }
            }
        }
        thread.start()
    }

    public func stop() {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    deinit { stop() }
}

/// A value behind a lock, in a class so escaping closures can share it.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}

#if os(Linux)
public let noSignal = Int32(MSG_NOSIGNAL)
#else
public let noSignal: Int32 = 0
#endif

public struct POSIXFailure: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public init(_ call: String) {
        self.call = call
        self.code = errno
    }
    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
