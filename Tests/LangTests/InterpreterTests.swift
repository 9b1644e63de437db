import Testing
@testable import Lang

struct InterpreterTests {
    @Test func valueSemantics() async {
        let src = """
        var a = [1, [2]]
        var b = a
        b[1].append(3)
        var m = {k: [1]}
        let n = m
        m.k.append(2)
        print(a, b, m, n)
        """
        #expect(await output(src) == "[1, [2]] [1, [2, 3]] {\"k\": [1, 2]} {\"k\": [1]}\n")
    }

    @Test func arithmetic() async {
        #expect(await output("print(7 / 2, -7 / 2, 7 % 3, 7.0 / 2, 1 + 0.5, 2 * 1.5)") == "3 -3 1 3.5 1.5 3.0\n")
        #expect(await output("print(1h30m, 90s + 30s, 2m * 3, 10m / 4, 1m > 59s, 1h / 30m)") == "1h30m 2m 6m 2m30s true 2.0\n")
    }

    @Test func runtimeErrorsAreCatchableWithCodes() async {
        let src = """
        fn code(f) {
          try { f() } catch e { return e.code }
          return "none"
        }
        print(code(fn() => 1 / 0), code(fn() => [1][5]), code(fn() => {a: 1}.b),
              code(fn() => 9223372036854775807 + 1), code(fn() => fail("x", code: "Mine")),
              code(fn() => 1 + "a"), code(fn() => assert(false)))
        """
        #expect(await output(src) == "ZeroDivisionError IndexError KeyError OverflowError Mine TypeError AssertionError\n")
    }

    @Test func conditionsMustBeBool() async {
        // Refused before running where the type is known, at run time where it is not.
        let known = await run("if 1 { print(1) }")
        guard case .rejected(let ds) = known.outcome else { Issue.record("expected a static error"); return }
        #expect(ds.map(\.message) == ["condition must be Bool, got Int"])
        let r = await run("fn dyn(x) { return x }\nif dyn(1) { print(1) }")
        #expect(r.message == "condition must be Bool, got Int")
        #expect(r.outcome.isFailed)
    }

    @Test func uncaughtErrorHasPositionAndStack() async {
        let r = await run("fn f(x) {\n  return x / 0\n}\nf(1)")
        guard case .failed(let d) = r.outcome else { Issue.record("expected failure"); return }
        #expect(d.message == "division by zero")
        #expect(d.range?.location == SourceLocation(line: 2, column: 10))
        #expect(d.callStack.map(\.function) == ["f", "<script>"])
        #expect(d.callStack.last?.location == "test.ecsh:4:1")
        #expect(d.description.contains("\n      return x / 0\n             ^~~~~\n"))
    }

    @Test func deepRecursionIsACatchableError() async {
        let r = await run("fn down(n) { return down(n + 1) }\ntry { down(0) } catch e { print(e.code) }")
        #expect(r.out == "StackOverflow\n")
    }

    @Test func exitStatus() async {
        let r = await run("print(\"a\")\nexit(3)\nprint(\"b\")")
        #expect(r.out == "a\n")
        #expect(r.outcome.exitStatus == 3)
    }
    // Ctrl-C is process-wide state: it is tested on the real binary (CommandLineTests),
    // where it cannot disturb tests running beside it.
}

import Foundation

struct HostAPITests {
    @Test func hostBuiltinsWithNamedParametersAndDocs() async {
        let greet = Builtin("greet", [.init("name"), .init("punct", .named, default: .string("!"))],
                            doc: "Greets someone.") { a, _ in
            .string("hi \(try a.string("name"))\(try a.string("punct"))")
        }
        #expect(await output("print(greet(\"ann\"), greet(\"bo\", punct: \"?\"))\nhelp(\"greet\")", builtins: [greet])
                == "hi ann! hi bo?\ngreet(name, punct: \"!\")\n  Greets someone.\n")
        let r = await run("greet(\"x\", pnct: \"?\")", builtins: [greet])
        #expect(r.message == "greet() has no parameter named 'pnct' (did you mean 'punct'?)")
    }

    @Test func asyncBuiltinsAndTheirErrors() async {
        let later = Builtin("later", [.init("x")], doc: "Async echo.", async: { a in
            try await Task.sleep(nanoseconds: 1_000_000)
            if case .string("bad") = a[0] { throw ScriptError("no good", code: "ClusterNotFoundException") }
            return a[0]
        })
        let src = """
        print(later(41) + 1)
        try { later("bad") } catch e { print(e.code, e.message, e.line) }
        """
        #expect(await output(src, builtins: [later]) == "42\nClusterNotFoundException no good 2\n")
    }

    @Test func helpListsBuiltins() async {
        let out = await output("help()")
        #expect(out.contains("print(values..., sep: String = \" \", end: String = \"\\n\") -> Nil"))
        #expect(out.contains("len(value: String | List | Map | Range) -> Int"))
    }
}
