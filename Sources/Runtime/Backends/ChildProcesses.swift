#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The process groups of every local container still running, so that they can be
/// killed from anywhere: a normal end, `exit()`, or a second Ctrl-C inside a signal
/// handler, where no lock may be taken. Each container runs in a group of its own, so a
/// shell's children go with it.
public enum ChildProcesses {
    static let capacity = 16_384
    /// Read without a lock by `killAllNow`; written under `lock`. A slot is a group id or 0.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    private static let lock = Mutex(())
    nonisolated(unsafe) private static var installed = false

    /// Remembers a running process group. Returns false when the table is full.
    @discardableResult
    static func add(_ group: Int32) -> Bool {
        lock.withLock { _ in
            if !installed {
                installed = true
                // exit() from a script or the command line: no local process outlives ecsh.
                atexit { ChildProcesses.killAllNow() }
            }
            for i in 0..<capacity where slots[i] == 0 {
                slots[i] = group
                return true
            }
            return false
        }
    }

    static func remove(_ group: Int32) {
        lock.withLock { _ in
            for i in 0..<capacity where slots[i] == group {
                slots[i] = 0
            }
        }
    }

    /// The groups still registered.
    public static var running: [Int32] {
        lock.withLock { _ in (0..<capacity).compactMap { slots[$0] == 0 ? nil : slots[$0] } }
    }

    /// SIGKILL to every registered group. Async-signal-safe: no lock, no allocation.
    public static func killAllNow() {
        for i in 0..<capacity {
            let group = slots[i]
            if group > 0 { kill(-group, SIGKILL) }
        }
    }
}
