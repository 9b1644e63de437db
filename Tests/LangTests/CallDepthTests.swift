import Foundation
import Testing
@testable import Lang

/// Script calls of every form run in the VM's own frames, so how deep a script may recurse
/// is the interpreter's depth limit (10,000 calls), not the native stack of the thread it
/// runs on. Each script recurses about 9,000 calls deep on a thread of 1 MiB, where a
/// native frame per call would stop it (`StackOverflow`) within a few hundred.
@Suite struct CallDepthTests {
    static let lib = """
        fn step(f, n) { return f(n - 1) }
        fn bounce(n, by = 1) {
          if n <= 0 { return "done" }
          return bounce(n: n - by)
        }
        """

    static let scripts: [String] = [
        // A parameter left to its default: the call's count differs from the arity.
        """
        fn down(n, by = 1) {
          if n == 0 { return "done" }
          return down(n - by)
        }
        print(down(9000))
        """,
        // Named arguments.
        """
        fn down(n, by = 1) {
          if n == 0 { return "done" }
          return down(by: by, n: n - 1)
        }
        print(down(9000))
        """,
        // A module's function, calling back a function of the script.
        """
        import "lib.ecsh" as l
        fn go(n) {
          if n == 0 { return "done" }
          return l.step(go, n)
        }
        print(go(4500))
        """,
        // Named arguments inside a module, called from the script.
        """
        import "lib.ecsh" as l
        print(l.bounce(9000))
        """,
        // Map literals and stores into a Map, around the calls.
        """
        fn build(n) {
          if n == 0 { return {"depth": 0} }
          return {"depth": build(n - 1)["depth"] + 1}
        }
        var memo = {}
        fn count(n) {
          if n == 0 { return 0 }
          memo["k${n}"] = count(n - 1) + 1
          return memo["k${n}"]
        }
        if build(9000)["depth"] == 9000 and count(9000) == 9000 { print("done") }
        """,
        // Appends to a List inside a Map, of what a call returns.
        """
        var acc = {"xs": []}
        fn fill(n) {
          if n == 0 { return 0 }
          acc.xs.append(fill(n - 1))
          return n
        }
        fill(9000)
        if len(acc.xs) == 9000 { print("done") }
        """,
        // A function kept in a Map.
        """
        var fns = {}
        fns["down"] = fn(n) {
          if n == 0 { return "done" }
          return fns.down(n - 1)
        }
        print(fns.down(9000))
        """,
    ]

    @Test(arguments: scripts)
    func recursesPastTheNativeStack(_ source: String) async {
        let (out, outcome) = await Self.runOnSmallStack(source)
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == "done\n")
    }

    @Test func theDepthLimitStillHolds() async {
        let (out, outcome) = await Self.runOnSmallStack("""
            fn down(n, by = 1) { return down(n: n + by) }
            try { down(0) } catch e { print(e.code, e.message) }
            """)
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == "StackOverflow call stack too deep (more than 10000 nested calls)\n")
    }

    @Test func anErrorInADefaultHasTheCalleeOnItsStack() async {
        let (_, outcome) = await Self.runOnSmallStack("""
            fn f(x, y = 10 / x) {
              return y
            }
            f(2)
            f(0)
            """)
        guard case .failed(let d) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(d.message == "division by zero")
        #expect(d.range?.location == SourceLocation(line: 1, column: 13))
        #expect(d.callStack.map(\.function) == ["f", "<script>"])
        #expect(d.callStack.last?.location == "main.ecsh:5:1")
    }

    /// Runs `source` on a new thread with a 1 MiB stack.
    static func runOnSmallStack(_ source: String) async -> (String, Interpreter.Outcome) {
        await withCheckedContinuation { (c: CheckedContinuation<(String, Interpreter.Outcome), Never>) in
            let thread = Thread {
                let sink = Captured()
                let host = MemoryHost(files: ["lib.ecsh": lib])
                let outcome = Interpreter(output: sink, host: host).run(SourceFile(name: "main.ecsh", text: source))
                c.resume(returning: (sink.out, outcome))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
