import Foundation

/// The one lock every interpreter thread of a `parallel()` holds while it runs script
/// code, released only while an async built-in (a RunTask, a wait) is in flight. Script
/// values and globals are therefore never touched by two threads at once.
///
/// Who gets the lock next is decided, not raced for: the runnable thread with the lowest
/// id, ids going up in the order branches were started. Code that does not wait thus runs
/// in the same order every time; only the order in which waits end depends on the world.
final class InterpreterLock: @unchecked Sendable {
    private let condition = NSCondition()
    private var holder: Int?
    private var runnable = Set<Int>()
    private var lastID: Int

    /// A lock held by `holder` (the thread that called `parallel()`).
    init(holder: Int) {
        self.holder = holder
        lastID = holder
    }

    /// A new id, higher than every id before it.
    func newID() -> Int {
        condition.lock()
        defer { condition.unlock() }
        lastID += 1
        return lastID
    }

    /// Marks `id` as wanting the lock without waiting for it: a branch is queued in the
    /// order it was started, before its thread runs.
    func enqueue(_ id: Int) {
        condition.lock()
        runnable.insert(id)
        grant()
        condition.unlock()
    }

    func acquire(_ id: Int) {
        condition.lock()
        if holder != id { runnable.insert(id) }
        grant()
        while holder != id { condition.wait() }
        condition.unlock()
    }

    func release(_ id: Int) {
        condition.lock()
        if holder == id { holder = nil }
        grant()
        condition.unlock()
    }

    private func grant() {
        guard holder == nil, let next = runnable.min() else { return }
        runnable.remove(next)
        holder = next
        condition.broadcast()
    }
}
