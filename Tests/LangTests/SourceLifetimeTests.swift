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

    /// The files of this test still alive (other tests make files at the same time).
    static func alive(_ prefix: String) -> [String] { SourceRegistry.liveNames.filter { $0.hasPrefix(prefix) }.sorted() }

    /// Checked, run and failed scripts with imports and closures: once the interpreter and
    /// the outcomes are gone, so is every file, and with them what was compiled from them
    /// (chunks, modules and functions each hold their file).
    @Test func scriptsModulesAndFunctionsAreFreed() async {
        let prefix = "lifetime-\(UUID().uuidString)"
        let (interpreters, outcomes) = await LargeStack.run { () -> ([WeakInterpreter], [String]) in
            var interpreters: [WeakInterpreter] = []
            var outcomes: [String] = []
            for i in 0..<40 {
                let host = MemoryHost(files: ["\(prefix)/lib.ecsh": "import \"util.ecsh\" as u\nfn g(x) { return u.k + x * \(i) }\n",
                                              "\(prefix)/util.ecsh": "let k = \(i)\n"])
                let interpreter = Interpreter(output: Captured(), host: host)
                interpreters.append(WeakInterpreter(interpreter))
                let source = "import \"lib.ecsh\" as l\nfn f(a) { return fn() { return l.g(a) } }\nlet h = f(\(i))\nprint(h())\n"
                outcomes.append("\(interpreter.check(SourceFile(name: "\(prefix)/check\(i).ecsh", text: source)).count)")
                outcomes.append("\(interpreter.run(SourceFile(name: "\(prefix)/run\(i).ecsh", text: source)))")
                let failed = interpreter.run(SourceFile(name: "\(prefix)/fail\(i).ecsh", text: "fn d(x) { return 1 / x }\nd(0)\n"))
                if case .failed(let d) = failed { outcomes.append(d.message) }
            }
            return (interpreters, outcomes)
        }
        #expect(outcomes.prefix(3) == ["0", "finished", "division by zero"], "the scripts ran as meant")
        #expect(interpreters.allSatisfy { $0.value == nil }, "interpreters still alive")
        #expect(Self.alive(prefix) == [])
    }

    /// A long REPL session keeps the entries whose names are in use, not every entry.
    @Test func aREPLSessionKeepsOnlyEntriesInUse() async {
        let prefix = "<repl-\(UUID().uuidString)"
        let (alive, out) = await LargeStack.run { () -> ([String], String) in
            let sink = Captured()
            let interpreter = Interpreter(output: sink)
            for i in 0..<300 {
                let entry = switch i % 4 {
                case 0: "var x = \(i)"
                case 1: "fn f() { return x + \(i) }"
                case 2: "print(f())"
                default: "try { fail(\"e\(i)\") } catch e { x = len(e.message) }"
                }
                let outcome = interpreter.runREPLEntry(SourceFile(name: "\(prefix):\(i)>", text: entry))
                guard case .finished = outcome else { return (["entry \(i): \(outcome)"], sink.out) }
            }
            // f and x, after many entries that declared, redeclared or used them.
            _ = interpreter.runREPLEntry(SourceFile(name: "\(prefix):last>", text: "print(x, f())"))
            return (Self.alive(prefix), sink.out)
        }
        // x's last declaration (entry 296) and f's (297): nothing else.
        #expect(alive == ["\(prefix):296>", "\(prefix):297>"])
        #expect(out.hasSuffix("4 301\n"), "\(out.suffix(40))")
    }
}

final class WeakInterpreter: @unchecked Sendable {
    weak var value: Interpreter?
    init(_ i: Interpreter) { value = i }
}
