import Foundation
import Runtime

/// The words both progress displays use for tasks and waits.
enum ProgressText {
    /// `task 1a2b… STOPPED exit 0`, with the reason when it did not end well.
    static func stopped(_ t: TrackedTask) -> String { RunPrinter.line(t) }

    /// `12.3s` or `4m05s`.
    static func elapsed(_ d: Duration) -> String {
        let s = d.components.seconds
        if s < 60 { return String(format: "%.1fs", Double(d.components.attoseconds) / 1e18 + Double(s)) }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60)
    }

    /// `25 task(s) stopped in 12.3s: 24 exit 0, 1 not ok`.
    static func summary(_ w: WaitProgress, _ end: WaitEnd, now: ContinuousClock.Instant = .now) -> String {
        let tasks = w.tasks
        let took = elapsed(now - w.started)
        switch end {
        case .reached:
            if w.goal == .running { return "\(tasks.count) task(s) running after \(took)" }
            let ok = tasks.filter(\.ok).count
            let notOK = tasks.count - ok
            return "\(tasks.count) task(s) stopped in \(took): \(ok) exit 0" + (notOK > 0 ? ", \(notOK) not ok" : "")
        case .timedOut: return "wait timed out after \(took): " + counts(w)
        case .interrupted: return "wait interrupted after \(took): " + counts(w)
        case .failed: return "wait failed after \(took): " + counts(w)
        }
    }

    /// `3 PENDING, 20 RUNNING, 2 STOPPED`.
    static func counts(_ w: WaitProgress) -> String {
        w.counts.map { "\($0.count) \($0.status)" }.joined(separator: ", ")
    }
}
