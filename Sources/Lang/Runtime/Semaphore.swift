import Foundation

/// A one-shot signal with a timed wait, so the waiting interpreter can notice Ctrl-C.
final class DispatchSemaphoreLite: @unchecked Sendable {
    private let condition = NSCondition()
    private var signalled = false

    func signal() {
        condition.lock()
        signalled = true
        condition.signal()
        condition.unlock()
    }

    /// True when signalled within the time.
    func wait(milliseconds: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while !signalled {
            if !condition.wait(until: deadline) { return signalled }
        }
        return true
    }

    func waitForever() {
        condition.lock()
        while !signalled { condition.wait() }
        condition.unlock()
    }
}
