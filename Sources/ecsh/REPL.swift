import Foundation
import Lang
import Runtime

/// The interactive session on a terminal: reads entries with readline (continuation
/// lines while a bracket, block or string is open), runs them in one Interpreter so
/// names persist, echoes values, reports errors and carries on.
///
/// Create and run it on one thread (a `LargeStack` thread): the interpreter and
/// readline both live on it.
struct REPL {
    static let prompt = "ecsh> "
    static let continuationPrompt = "...> "
    static var banner: String { "ecsh \(Ecsh.version) — help() lists built-ins, Ctrl-D exits" }

    let arguments: [String]
    let makeSession: (any OutputSink) throws -> ECSSession

    init(arguments: [String], makeSession: @escaping (any OutputSink) throws -> ECSSession) {
        self.arguments = arguments
        self.makeSession = makeSession
    }

    /// Runs until Ctrl-D or `exit(n)`; returns the exit status.
    func run() -> Int32 {
        let output = SessionOutput()
        let interpreter = Interpreter(arguments: arguments, output: output, host: SystemHost())
        let session: ECSSession
        do {
            session = try makeSession(output)
        } catch {
            Report.error("\(error)")
            return 1
        }
        ECSBuiltins.install(into: interpreter, session: session)
        defer { session.shutdownBlocking() }
        var history = History(path: History.defaultPath())
        let completion = Completion(interpreter: interpreter)
        let editor = LineEditor(name: "ecsh", historyLimit: history.limit) { completion.matches(for: $0, after: $1) }
        defer {
            editor.close()
            history.trimFile()
        }
        for line in history.entries { editor.addHistory(line) }
        output.write(Self.banner + (session.isLocal ? " — --local: tasks run as local processes" : "") + "\n")

        var pending: [String] = []
        // A whole `if` entry held back a line, in case that line starts with `else`.
        var heldIf: String?
        var entryNumber = 0
        func run(_ entry: String) -> Int32? {
            // One history entry, however many lines it took.
            if history.add(entry) { editor.addHistory(entry) }
            entryNumber += 1
            return evaluate(entry, number: entryNumber, in: interpreter, output: output, session: session)
        }
        while true {
            output.endLine()
            switch editor.read(prompt: pending.isEmpty && heldIf == nil ? Self.prompt : Self.continuationPrompt) {
            case .endOfInput:
                if let held = heldIf, let status = run(held) { return leaving(session, status: status) }
                return leaving(session, status: 0)
            case .interrupt:
                pending.removeAll()
                heldIf = nil
            case .terminate(let sig):
                return 128 + sig
            case .line(let line):
                if let held = heldIf {
                    heldIf = nil
                    if Interpreter.startsWithElse(line) {
                        pending = [held]
                    } else if let status = run(held) {
                        return leaving(session, status: status)
                    }
                }
                pending.append(line)
                let entry = pending.joined(separator: "\n")
                if Interpreter.needsMoreInput(entry) { continue }
                pending.removeAll()
                if entry.allSatisfy(\.isWhitespace) { continue }
                if Interpreter.mayContinueWithElse(entry) {
                    heldIf = entry
                    continue
                }
                if let status = run(entry) { return leaving(session, status: status) }
            }
        }
    }

    /// Ctrl-D or `exit(n)`: the tasks still running are listed, as at the end of a script.
    private func leaving(_ session: ECSSession, status: Int32) -> Int32 {
        FileHandle.standardError.write(Data(RunJournaling.finish(session, status: status).utf8))
        return status
    }

    /// Runs one entry; the exit status when it called `exit(n)`.
    private func evaluate(_ entry: String, number entryNumber: Int, in interpreter: Interpreter, output: SessionOutput,
                          session: ECSSession) -> Int32? {
        // Numbered, so an error in a function from an earlier entry says which entry.
        let outcome = interpreter.runREPLEntry(SourceFile(name: "<repl:\(entryNumber)>", text: entry))
        switch outcome {
        case .finished:
            return nil
        case .exited(let n):
            return n
        case .interrupted:
            // The terminal echoed ^C where the cursor was.
            output.flush()
            let report = Blocking.text { await InterruptReport.afterInterrupt(session, listing: false) }
            FileHandle.standardError.write(Data("\ninterrupted\n\(report)".utf8))
        case .rejected, .failed:
            output.endLine()
            _ = ScriptRunner.report(outcome)
        }
        output.markLineStart()
        return nil
    }
}
