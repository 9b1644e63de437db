import Foundation
import Testing
@testable import Lang

/// Each interpreter is stopped through its own `Cancellation`, not a process-wide flag.
/// The tests wait by suspending, never by blocking: an async built-in's task needs a
/// thread of the concurrency pool the tests themselves run on.
@Suite struct CancellationTests {
    /// An interpreter running on a thread of its own, and how its run ended.
    final class Running: @unchecked Sendable {
        let interpreter: Interpreter
        private let lock = NSLock()
        private var ended: Interpreter.Outcome?
        private var isStarted = false
        var outcome: Interpreter.Outcome? { lock.withLock { ended } }

        /// Runs `source`, which calls `ready()` once it is under way (a request made before
        /// a run starts is cleared by it).
        init(_ source: String, builtins: [Builtin] = []) {
            interpreter = Interpreter(output: Captured())
            for b in builtins { interpreter.register(b) }
            interpreter.register(Builtin("ready", doc: "Says the script is running.") { [unowned self] _, _ in
                lock.withLock { isStarted = true }
                return .nil
            })
            let thread = Thread { [self] in
                let o = interpreter.run(SourceFile(name: "spin.ecsh", text: source))
                lock.withLock { ended = o }
            }
            thread.stackSize = 64 << 20
            thread.start()
        }

        /// Waits until the script called `ready()`.
        func waitUntilStarted() async -> Bool {
            await Self.until(seconds: 30) { self.lock.withLock { self.isStarted } }
        }

        /// True when the run ended within `seconds`.
        func finishes(within seconds: Double) async -> Bool {
            await Self.until(seconds: seconds) { self.outcome != nil }
        }

        private static func until(seconds: Double, _ condition: () -> Bool) async -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if condition() { return true }
                try? await Task.sleep(nanoseconds: 10_000_000)
            }
            return condition()
        }

        var wasInterrupted: Bool {
            if case .interrupted? = outcome { return true }
            return false
        }
    }

    @Test func cancellingOneInterpreterLeavesAnotherRunning() async {
        let a = Running("ready()\nvar n = 0\nwhile true { n += 1 }")
        let b = Running("fn spin(k) { while true {} }\nready()\nspin(1)")
        #expect(await a.waitUntilStarted())
        #expect(await b.waitUntilStarted())
        a.interpreter.cancellation.request()
        #expect(await a.finishes(within: 10))
        #expect(a.wasInterrupted)
        #expect(await !b.finishes(within: 0.5), "the other interpreter stopped too")
        b.interpreter.cancellation.request()
        #expect(await b.finishes(within: 10))
        #expect(b.wasInterrupted)
    }

    @Test func cancellingWakesAWaitInAnAsyncBuiltinAtOnce() async throws {
        let nap = Builtin("nap", doc: "Waits a minute.") { _ in
            try await Task.sleep(nanoseconds: 60_000_000_000)
            return .nil
        }
        let a = Running("ready()\nnap()", builtins: [nap])
        #expect(await a.waitUntilStarted())
        try await Task.sleep(nanoseconds: 200_000_000)
        let asked = Date()
        a.interpreter.cancellation.request()
        #expect(await a.finishes(within: 10))
        #expect(a.wasInterrupted)
        #expect(Date().timeIntervalSince(asked) < 5)
    }

    @Test func cancellingStopsTheFibersOfParallel() async throws {
        let nap = Builtin("nap", doc: "Waits a minute.") { _ in
            try await Task.sleep(nanoseconds: 60_000_000_000)
            return .nil
        }
        let a = Running("parallel(range(3), fn(i) { ready()\n nap() })", builtins: [nap])
        #expect(await a.waitUntilStarted())
        try await Task.sleep(nanoseconds: 200_000_000)
        a.interpreter.cancellation.request()
        #expect(await a.finishes(within: 10))
        #expect(a.wasInterrupted)
    }
}
