import Foundation
import Lang
import Synchronization

/// Runs async work from a synchronous command (the interpreter's thread, a subcommand's
/// `run()`) on the concurrency pool, and waits for it here.
enum Blocking {
    /// Runs `body` to the end; `initial` is only there to make the box.
    static func value<T: Sendable>(_ initial: T, _ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>(initial)
        let done = DispatchSemaphore(value: 0)
        Task {
            box.set(await body())
            done.signal()
        }
        done.wait()
        return box.get()
    }

    /// Runs `body` to the end and returns what it returned or throws what it threw.
    static func throwing<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result: Result<T, any Error> = value(.failure(CancellationError())) {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Runs `body` to the end, whatever Ctrl-C says: for what must happen after it.
    static func text(_ body: @escaping @Sendable () async -> String) -> String {
        value("", body)
    }

    /// Runs `body`; Ctrl-C (see ``Signals``) cancels it, and then the status is 130 unless
    /// it gave one.
    static func run(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
        let result = StatusBox()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let status = await body()
            result.status.withLock { $0 = status }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if Interrupt.isRequested {
                task.cancel()
                done.wait()
                break
            }
        }
        return result.status.withLock { $0 } ?? 130
    }
}

/// A value handed from a task to the thread that waits for it.
private final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.withLock { value = v } }
    func get() -> T { lock.withLock { value } }
}

private final class StatusBox: Sendable {
    let status = Mutex<Int32?>(nil)
}
