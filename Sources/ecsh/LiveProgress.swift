import Foundation
import Runtime
import Synchronization

/// Progress on a terminal: while tasks are waited on, a block at the bottom of stderr
/// with the counts by status, the time against the timeout and the latest log line,
/// redrawn in place. Log lines scroll above it.
///
/// Each redraw is one write that moves the cursor back to the block's first line and
/// rewrites it line by line, so the terminal never shows a half-drawn or empty block.
final class LiveProgress: ProgressObserver, Sendable {
    private struct State {
        var wait: WaitProgress?
        var lastLog: String?
        /// Lines of the block on screen now.
        var drawn = 0
        var ticker: Task<Void, Never>?
    }

    private let state = Mutex(State())
    /// Where log lines go (the script's output), and how to push them out before a redraw.
    private let output: @Sendable (String) -> Void
    private let flush: @Sendable () -> Void
    private let color = Terminal.color(2)

    init(output: @escaping @Sendable (String) -> Void, flush: @escaping @Sendable () -> Void) {
        self.output = output
        self.flush = flush
    }

    func observe(_ event: ProgressEvent) {
        switch event {
        case .waitStarted(let w):
            guard w.tasks.contains(where: { !$0.isDryRun }) else { return }
            state.withLock { s in
                s.wait = w
                s.lastLog = nil
                s.ticker?.cancel()
                s.ticker = Task { [weak self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(200))
                        self?.redraw()
                    }
                }
                draw(&s)
            }
        case .waitEnded(let w, let end):
            state.withLock { s in
                guard s.wait?.id == w.id else { return }
                s.ticker?.cancel()
                s.ticker = nil
                s.wait = nil
                var text = clear(&s)
                let summary = "ecsh: " + ProgressText.summary(w, end)
                let bad = end != .reached || w.tasks.contains { !$0.ok && w.goal == .stopped }
                text += Terminal.paint(summary, bad ? "31" : "32", if: color) + "\n"
                write(text)
            }
        case .log(let line):
            state.withLock { s in
                write(clear(&s))
                output(line.text + "\n")
                flush()
                s.lastLog = line.text
                draw(&s)
            }
        case .warning(let text):
            state.withLock { s in
                write(clear(&s) + "ecsh: warning: \(text)\n")
                draw(&s)
            }
        case .launched, .status, .stopped, .logsEnded:
            break   // the ticker shows them within 200 ms
        }
    }

    private func redraw() {
        state.withLock { s in draw(&s) }
    }

    /// Rewrites the block in place; nothing when no wait is on.
    private func draw(_ s: inout State) {
        guard let w = s.wait else { return }
        let width = max(20, Terminal.width(2) - 1)
        var lines = [fit(headline(w), width)]
        if let log = s.lastLog { lines.append(fit("  " + log, width)) }
        var text = s.drawn > 1 ? "\r\u{1B}[\(s.drawn - 1)A" : "\r"
        text += lines.map { "\u{1B}[2K" + paintCounts($0) }.joined(separator: "\n")
        if lines.count < s.drawn { text += "\u{1B}[J" }
        s.drawn = lines.count
        write(text)
    }

    /// The escape sequence that removes the block, leaving the cursor where it began.
    private func clear(_ s: inout State) -> String {
        guard s.drawn > 0 else { return "" }
        let text = (s.drawn > 1 ? "\r\u{1B}[\(s.drawn - 1)A" : "\r") + "\u{1B}[J"
        s.drawn = 0
        return text
    }

    private func headline(_ w: WaitProgress) -> String {
        let clock = ProgressText.elapsed(.now - w.started) + (w.timeout.map { " / " + ProgressText.elapsed($0) } ?? "")
        let tasks = w.tasks
        let failed = tasks.filter { $0.isFinal && !$0.ok }.count
        var line = "waiting \(clock) for \(tasks.count) task(s) to \(w.goal == .stopped ? "stop" : "run"): " + ProgressText.counts(w)
        if failed > 0 && w.goal == .stopped { line += " (\(failed) not ok)" }
        return line
    }

    /// Cuts a line to the terminal's width: a wrapped line would break the cursor arithmetic.
    private func fit(_ line: String, _ width: Int) -> String {
        line.count <= width ? line : String(line.prefix(width - 1)) + "…"
    }

    private func paintCounts(_ line: String) -> String {
        guard color, let r = line.range(of: " not ok)") else { return line }
        return String(line[..<r.lowerBound]) + Terminal.paint(String(line[r]), "31", if: true) + String(line[r.upperBound...])
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
