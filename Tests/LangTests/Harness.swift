import Foundation
@testable import Lang

/// Collects what a script prints.
final class Captured: OutputSink, @unchecked Sendable {
    var out = ""
    var err = ""
    func write(_ text: String) { out += text }
    func writeError(_ text: String) { err += text }
    func flush() {}
}

struct RunResult: Sendable {
    let out: String
    let err: String
    let outcome: Interpreter.Outcome

    /// The first diagnostic's message, for rejected or failed runs.
    var message: String? {
        switch outcome {
        case .rejected(let ds): return ds.first?.message
        case .failed(let d): return d.message
        default: return nil
        }
    }

    var diagnostics: [Diagnostic] {
        switch outcome {
        case .rejected(let ds): return ds
        case .failed(let d): return [d]
        default: return []
        }
    }
}

/// Runs source on a large-stack thread, as the command line does.
func run(_ source: String, builtins: [Builtin] = [], arguments: [String] = [], limits: Limits = Limits()) async -> RunResult {
    await LargeStack.run {
        let sink = Captured()
        let interp = Interpreter(arguments: arguments, output: sink, limits: limits)
        for b in builtins { interp.register(b) }
        let outcome = interp.run(SourceFile(name: "test.ecsh", text: source))
        return RunResult(out: sink.out, err: sink.err, outcome: outcome)
    }
}

/// The printed output of a script that must finish cleanly.
func output(_ source: String, builtins: [Builtin] = []) async -> String {
    let r = await run(source, builtins: builtins)
    if case .finished = r.outcome { return r.out }
    return "UNEXPECTED \(r.outcome): \(r.diagnostics.map(\.description).joined(separator: "\n"))"
}

extension Interpreter.Outcome {
    var isFinished: Bool { if case .finished = self { return true } else { return false } }
    var isRejected: Bool { if case .rejected = self { return true } else { return false } }
    var isFailed: Bool { if case .failed = self { return true } else { return false } }
}
