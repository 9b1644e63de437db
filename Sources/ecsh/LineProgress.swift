import Foundation
import Runtime
import Synchronization

/// Progress where no terminal shows it (CI logs, pipes): a line on stderr for each launch,
/// RUNNING and stop (every state with `verbose`), a summary per wait, and log lines to the
/// output as they come.
///
/// One writer for both streams, so that a log that gets stdout and stderr (`2>&1`) reads
/// in order: the output is flushed before each stderr line, and a task's stop is held back
/// until the wait read its logs for the last time, so its last lines come before it.
final class LineProgress: ProgressObserver, Sendable {
    private struct State {
        /// The tasks of each wait that streams logs, by wait id.
        var following: [Int: [String]] = [:]
        /// Tasks whose logs were read for the last time.
        var logsEnded: Set<String> = []
        /// Stop lines waiting for their task's last log lines, in the order they stopped.
        var held: [(key: String, line: String)] = []
    }

    /// Where log lines go (the script's output).
    private let output: @Sendable (String) -> Void
    /// Writes out what `output` buffers.
    private let flush: @Sendable () -> Void
    /// Every state change, not only RUNNING and the stop.
    private let verbose: Bool
    private let state = Mutex(State())

    init(verbose: Bool = false, output: @escaping @Sendable (String) -> Void, flush: @escaping @Sendable () -> Void = {}) {
        self.verbose = verbose
        self.output = output
        self.flush = flush
    }

    func observe(_ event: ProgressEvent) {
        state.withLock { s in
            switch event {
            case .launched(let t):
                guard !t.isDryRun else { return }
                err("task \(t.task.id ?? "-") launched: \(t.arn ?? "-")")
            case .status(let t, _):
                // The stop has a line of its own, with the exit code.
                guard !t.isDryRun, !t.isFinal, verbose || t.task.lastStatus == "RUNNING" else { return }
                err("task \(t.task.id ?? "-") \(t.task.lastStatus ?? "?")")
            case .stopped(let t):
                guard !t.isDryRun else { return }
                let line = ProgressText.stopped(t)
                if let key = t.arn, t.failure == nil, !s.logsEnded.contains(key),
                   s.following.values.contains(where: { $0.contains(key) }) {
                    s.held.append((key, line))
                } else {
                    err(line)
                }
            case .log(let line):
                output(line.text + "\n")
            case .logsEnded(let key):
                s.logsEnded.insert(key)
                release(&s) { $0 == key }
            case .waitStarted(let w):
                guard w.followsLogs else { return }
                s.following[w.id] = w.keys
                s.logsEnded.subtract(w.keys)
            case .waitEnded(let w, let end):
                if let keys = s.following.removeValue(forKey: w.id) {
                    let waited = Set(keys)
                    release(&s) { waited.contains($0) }
                }
                guard w.tasks.contains(where: { !$0.isDryRun }) else { return }
                err(ProgressText.summary(w, end))
            case .warning(let text):
                err("warning: \(text)")
            }
        }
    }

    /// Prints the held stop lines of the tasks `which` picks.
    private func release(_ s: inout State, _ which: (String) -> Bool) {
        for h in s.held where which(h.key) { err(h.line) }
        s.held.removeAll { which($0.key) }
    }

    private func err(_ line: String) {
        flush()
        FileHandle.standardError.write(Data("ecsh: \(line)\n".utf8))
    }
}
