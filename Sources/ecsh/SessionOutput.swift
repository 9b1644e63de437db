import Lang

/// The REPL's output: the interpreter's usual stdout/stderr writer, remembering whether
/// the last thing written ended its line, so the next prompt can start on a line of its
/// own after `print("x", end: "")`.
final class SessionOutput: OutputSink {
    private let base = StandardOutput()
    private(set) var atLineStart = true

    func write(_ text: String) {
        base.write(text)
        if let last = text.last { atLineStart = last == "\n" }
    }

    func writeError(_ text: String) {
        base.writeError(text)
        if let last = text.last { atLineStart = last == "\n" }
    }

    func flush() { base.flush() }

    /// Ends a line left open, before something that must start a line.
    func endLine() {
        if !atLineStart { write("\n") }
        flush()
    }

    /// Something written around this sink (a diagnostic) ended its line.
    func markLineStart() { atLineStart = true }
}
