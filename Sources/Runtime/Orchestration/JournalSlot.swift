import Foundation
import Synchronization

/// A session's run journal, created on first need: a script that launches nothing leaves
/// no journal behind, and `ecsh runs` lists only runs that did something.
public final class JournalSlot: Sendable {
    private struct State {
        var store: RunStore?
        var start: JournalEntry?
        var journal: RunJournal?
        var failed = false
        var ended = false
    }

    private let state = Mutex(State())
    /// Where a journal that cannot be written is reported.
    private let warn: @Sendable (String) -> Void

    init(warn: @escaping @Sendable (String) -> Void) {
        self.warn = warn
    }

    /// Journals this session in `store`, `start` being its first line. Without this call
    /// (dry runs, `--local`, the REPL, tests) nothing is journaled.
    public func enable(store: RunStore, start: JournalEntry) {
        state.withLock { s in
            s.store = store
            s.start = start
        }
    }

    /// The journal, created now if need be; nil when the session is not journaled.
    public func current(registry: TaskRegistry) -> RunJournal? {
        let (journal, created, error) = state.withLock { s -> (RunJournal?, Bool, String?) in
            if let j = s.journal { return (j, false, nil) }
            guard !s.failed, !s.ended, let store = s.store, let start = s.start else { return (nil, false, nil) }
            do {
                let j = try RunJournal(store: store, start: start)
                s.journal = j
                return (j, true, nil)
            } catch {
                s.failed = true
                return (nil, false, "\(error)")
            }
        }
        if let error { warn("\(error); this run is not journaled") }
        if let journal, created {
            registry.onFinal { t in
                // Tasks of other runs, found or attached to, are theirs to journal.
                guard t.launchedHere, let arn = t.arn else { return }
                var e = JournalEntry(.task)
                e.arn = arn
                e.cluster = t.cluster
                e.lastStatus = "STOPPED"
                e.exitCode = t.exitCode
                e.watch = t.watch
                e.stopCode = t.failure != nil ? "TaskFailedToStart" : t.task.stopCode
                journal.append(e)
            }
        }
        return journal
    }

    /// The journal if one was made.
    public var existing: RunJournal? { state.withLock { $0.journal } }

    /// Writes the end (synced); later calls do nothing.
    public func finish(status: Int32) {
        let journal = state.withLock { s -> RunJournal? in
            defer { s.ended = true }
            return s.ended ? nil : s.journal
        }
        var e = JournalEntry(.end)
        e.status = status
        journal?.append(e, sync: true)
    }
}
