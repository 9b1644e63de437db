import Foundation
import Testing
@testable import Lang

/// Bugs found in review, each pinned by the input that showed it.
struct ReviewRegressionTests {
    @Test func defaultsRunInsideTheCallee() async {
        let src = """
        fn f(a, g = fn() => a) { return [a, g()] }
        fn outer() { let x = 5
          fn inner(a = x) { return a }
          return inner() }
        fn h(a, b = a) { let g = fn() => a + b
          return g() }
        print(f(5), outer(), h(2))
        """
        #expect(await output(src) == "[5, 5] 5 4\n")
        let r = await run("fn k(a, b = a / 0) { return b }\nk(1)")
        guard case .failed(let d) = r.outcome else { Issue.record("expected a failure"); return }
        #expect(d.callStack.map(\.function) == ["k", "<script>"])
    }

    @Test func arithmeticEdgesAreErrorsNotTraps() async {
        let src = """
        fn code(f) { try { f() } catch e { return e.code }
          return "ok" }
        let d = -9000000000s - 223372036854775808ns
        print(code(fn() => - -9223372036854775808), code(fn() => d % -1ns), "" * 9223372036854775807 == "")
        print(parse_json("\\"\\\\uD800\\\\u0041\\"") == "\\u{FFFD}A", int("42\\n"), range(10, step: 4))
        """
        #expect(await output(src) == "OverflowError OverflowError true\ntrue 42 [0, 4, 8]\n")
    }

    @Test func longExpressionsInDeepRecursionStopCleanly() async {
        let src = "fn f(n) { return f(n + 1) " + String(repeating: "+ 0 ", count: 800) + "}\n"
            + "try { f(0) } catch e { print(e.code) }"
        #expect(await output(src) == "StackOverflow\n")
    }

    @Test func rejectedREPLEntryChangesNoName() async {
        let outs = await LargeStack.run { () -> [String] in
            let sink = Captured()
            let interp = Interpreter(output: sink)
            var results: [String] = []
            for entry in ["var x = 1", "let x = 2; oops", "x = 3", "x"] {
                let o = interp.runREPLEntry(SourceFile(name: "<repl>", text: entry))
                if case .rejected(let ds) = o { results.append("rejected: \(ds[0].message)") }
            }
            results.append(sink.out)
            return results
        }
        #expect(outs == ["rejected: unknown name 'oops'", "3\n"])
    }

    @Test func aModuleThatFailsRunsOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-mod-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "print(\"bad runs\")\nfail(\"broken\")\n".write(to: dir.appendingPathComponent("bad.ecsh"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.ecsh").path
        let src = """
        fn load() {
          try { import "bad.ecsh" as b } catch e { print(e.message) }
        }
        load()
        load()
        """
        let out = await LargeStack.run { () -> String in
            let sink = Captured()
            _ = Interpreter(output: sink, host: SystemHost()).run(SourceFile(name: main, text: src))
            return sink.out
        }
        #expect(out == "bad runs\nbroken\nbroken\n")
    }

    @Test func optionalChainsSkipTheRest() async {
        #expect(await output("let none = nil\nprint(none?.a.b.c, none?.keys(), {a: {b: 1}}?.a.b)") == "nil nil 1\n")
    }

    @Test func dollarSignsPrintPlainly() async {
        #expect(await output("print([\"$HOME\", \"\\${x}\"])") == "[\"$HOME\", \"\\${x}\"]\n")
    }
}
