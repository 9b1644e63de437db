import Foundation
import Lang

/// One thread with the interpreter's large stack (`LargeStack.size`) that runs every
/// input in turn. `LargeStack.run` starts a thread per call, and under AddressSanitizer
/// ending a thread clears the shadow of its whole stack, which costs more than most inputs.
final class BigStack: @unchecked Sendable {
    static let shared = BigStack()
    private let start = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var job: () -> Void = {}

    private init() {
        let thread = Thread { [self] in
            while true {
                start.wait()
                job()
                done.signal()
            }
        }
        thread.stackSize = LargeStack.size
        thread.start()
    }

    /// Runs `body` on the big-stack thread and waits for it.
    func run(_ body: @escaping () -> Void) {
        job = body
        start.signal()
        done.wait()
    }
}
