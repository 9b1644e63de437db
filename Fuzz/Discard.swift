import Lang

/// Output is thrown away: formatting it is still exercised.
final class Discard: OutputSink {
    func write(_ text: String) {}
    func writeError(_ text: String) {}
    func flush() {}
}
