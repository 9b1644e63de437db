import Foundation
import Runtime

/// Progress where no terminal shows it (CI logs, pipes): one line on stderr per change,
/// log lines to the output as they come.
struct LineProgress: ProgressObserver {
    /// Where log lines go (the script's output).
    let output: @Sendable (String) -> Void

    func observe(_ event: ProgressEvent) {
        switch event {
        case .launched(let t):
            guard !t.isDryRun else { return }
            err("task \(t.task.id ?? "-") launched: \(t.arn ?? "-")")
        case .status(let t, _):
            // The stop has a line of its own, with the exit code.
            guard !t.isDryRun, !t.isFinal else { return }
            err("task \(t.task.id ?? "-") \(t.task.lastStatus ?? "?")")
        case .stopped(let t):
            guard !t.isDryRun else { return }
            err(ProgressText.stopped(t))
        case .log(let line):
            output(line.text + "\n")
        case .waitStarted:
            break
        case .waitEnded(let w, let end):
            guard w.tasks.contains(where: { !$0.isDryRun }) else { return }
            err(ProgressText.summary(w, end))
        case .warning(let text):
            err("warning: \(text)")
        }
    }

    private func err(_ line: String) {
        FileHandle.standardError.write(Data("ecsh: \(line)\n".utf8))
    }
}
