import Foundation
import Testing
@testable import Lang

/// Sources live as long as something uses them, not as long as the process: a language
/// server re-checking a document on every keystroke, or a long REPL session, must not
/// keep every version it ever parsed.
struct SourceLifetimeTests {
    @Test func checkedDocumentsAreFreed() {
        let interpreter = Interpreter()
        // Checked once first, so whatever a first check sets up for good is counted before.
        _ = interpreter.check(SourceFile(name: "doc.ecsh", text: "let x = 1"))
        let before = SourceRegistry.count
        for i in 0..<500 {
            let doc = SourceFile(name: "doc.ecsh", text: "let x = \(i)\nfn f(a) { return a.upper() }\nprint(f(\"v\"), x.foo)")
            let ds = interpreter.check(doc)
            #expect(ds.count == 1)
        }
        // Other tests running at the same time make files too: the bound is loose, the
        // leak it catches is 500 files.
        #expect(SourceRegistry.count < before + 100, "\(SourceRegistry.count - before) checked sources are still alive")
    }

    @Test func aFunctionKeepsItsFileForItsErrors() async {
        let interpreter = Interpreter(output: Captured())
        _ = interpreter.runREPLEntry(SourceFile(name: "<repl:1>", text: "fn boom() { return 1 / 0 }"))
        let outcome = interpreter.runREPLEntry(SourceFile(name: "<repl:2>", text: "boom()"))
        guard case .failed(let d) = outcome else { Issue.record("expected a failure"); return }
        #expect(d.render(color: false).contains("return 1 / 0"), "the error shows the function's own line")
        #expect(d.range?.file.name == "<repl:1>")
    }
}
