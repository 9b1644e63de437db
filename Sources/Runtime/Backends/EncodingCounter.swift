import Synchronization

/// How many encodings were made (``WireJSON``, and the journal's digest of a launch's
/// parameters) while this was the task's counter.
public final class EncodingCounter: Sendable {
    private let value = Mutex(0)

    public init() {}

    public var total: Int { value.withLock { $0 } }

    func count() { value.withLock { $0 += 1 } }
}
