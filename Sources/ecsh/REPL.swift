import Foundation
import Lang

/// Placeholder until the readline REPL lands.
struct REPL {
    let arguments: [String]
    func run() -> Int32 {
        let interpreter = Interpreter(arguments: arguments)
        while let line = readLine() {
            _ = ScriptRunner.report(interpreter.runREPLEntry(SourceFile(name: "<repl>", text: line)))
        }
        return 0
    }
}
