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
        let interpreter = Interpreter(arguments: arguments, output: output)
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
        var entryNumber = 0
        while true {
            output.endLine()
            switch editor.read(prompt: pending.isEmpty ? Self.prompt : Self.continuationPrompt) {
            case .endOfInput:
                return leaving(session, status: 0)
            case .interrupt:
                pending.removeAll()
            case .terminate(let sig):
                return 128 + sig
            case .line(let line):
                for l in line.split(separator: "\n", omittingEmptySubsequences: false) where history.add(String(l)) {
                    editor.addHistory(String(l))
                }
                pending.append(line)
                let entry = pending.joined(separator: "\n")
                if Interpreter.needsMoreInput(entry) { continue }
                pending.removeAll()
                if entry.allSatisfy(\.isWhitespace) { continue }
                entryNumber += 1
                if let status = evaluate(entry, number: entryNumber, in: interpreter, output: output, session: session) {
                    return leaving(session, status: status)
                }
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
