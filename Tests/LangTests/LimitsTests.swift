import Testing
@testable import Lang

/// `Limits` as a host sets them: the step limit counts loop turns and script calls, and
/// the size limits bound every way a string or list grows.
struct LimitsTests {
    func limits(steps: Int? = nil, stringBytes: Int? = nil, listCount: Int? = nil) -> Limits {
        var l = Limits()
        l.maxSteps = steps
        if let stringBytes { l.maxStringBytes = stringBytes }
        if let listCount { l.maxListCount = listCount }
        return l
    }

    @Test func aStepIsALoopTurnOrAScriptCall() async {
        let ten = limits(steps: 10)
        #expect(await run("for i in 0..10 {}", limits: ten).outcome.isFinished)
        #expect(await run("var i = 0\nwhile i < 10 { i += 1 }", limits: ten).outcome.isFinished)
        // Five turns and five calls; built-ins are not steps.
        #expect(await run("fn f() {}\nfor i in 0..5 { f()\nlen([]) }", limits: ten).outcome.isFinished)
        // Calls made by a built-in (map) count.
        #expect(await run("let xs = [1, 2, 3, 4, 5].map(fn(x) => x)", limits: limits(steps: 5)).outcome.isFinished)
        for source in ["for i in 0..11 {}", "var i = 0\nwhile i < 11 { i += 1 }", "fn f() {}\nfor i in 0..6 { f() }",
                       "let xs = range(0, 11, 1).map(fn(x) => x)"] {
            let r = await run(source, limits: ten)
            #expect(r.message == "step limit reached: more than 10 loop turns and function calls", "\(source)")
        }
    }

    /// Steps are taken from slices of the allowance (`Machine.stepSlice`); the limit falls
    /// on the same step wherever it lies against the slices.
    @Test(arguments: [1, 1_023, 1_024, 1_025, 2_048, 5_000])
    func theLimitIsExactAcrossSlices(_ steps: Int) async {
        let src = """
            var n = 0
            try { while true { n += 1 } } catch e { print(n, e.code) }
            try { while true { n += 1 } } catch e { print(n, e.code) }
            """
        // The second loop is refused at its first step: the limit, once reached, stays.
        #expect(await run(src, limits: limits(steps: steps)).out == "\(steps) StepLimit\n\(steps) StepLimit\n")
        let calls = "fn f() {}\nvar n = 0\ntry { while true { f()\nn += 1 } } catch e { print(n, e.code) }"
        // Each turn is two steps: the turn and the call.
        #expect(await run(calls, limits: limits(steps: steps)).out == "\(steps / 2) StepLimit\n")
    }

    @Test func theErrorNamesTheLoopOrCallThatWentOver() async {
        let r = await run("fn spin() {\n  while true {}\n}\ntry { spin() } catch e { print(e.code, e.line) }\nspin()",
                          limits: limits(steps: 50))
        #expect(r.out == "StepLimit 2\n")
        #expect(r.diagnostics.first?.range?.location.line == 5)
    }

    @Test func eachRunGetsTheWholeAllowance() async {
        let sink = Captured()
        let interp = Interpreter(output: sink, limits: limits(steps: 100))
        for k in 1...3 {
            let outcome = interp.runREPLEntry(SourceFile(name: "<repl:\(k)>", text: "for i in 0..80 {}"))
            #expect(outcome.isFinished, "entry \(k)")
        }
    }

    @Test func noStepLimitByDefault() async {
        #expect(await run("var n = 0\nfor i in 0..300000 { n += 1 }\nprint(n)").out == "300000\n")
    }

    @Test func sizeLimitsComeFromTheHost() async {
        let small = limits(stringBytes: 30, listCount: 4)
        let src = """
        var s = "a" * 20
        try { s += "b" * 11 } catch e { print(e.code, len(s)) }
        var xs = [1, 2, 3, 4]
        try { xs.append(5) } catch e { print(e.code, xs) }
        try { xs += [5] } catch e { print(e.code, len(xs)) }
        try { let r = range(0, 10, 2) } catch e { print(e.code) }
        print(len("x" * 30))
        try { print([s, s]) } catch e { print(e.code) }
        """
        #expect(await run(src, limits: small).out
                == "MemoryError 20\nMemoryError [1, 2, 3, 4]\nMemoryError 4\nMemoryError\n30\nMemoryError\n")
    }
}

/// A host that makes many interpreters (the fuzzer makes one per input) gets their memory
/// back: nothing an interpreter made outlives it through a reference cycle.
struct InterpreterLifetimeTests {
    @Test func anInterpreterAndItsFunctionsAreFreed() {
        weak var interpreter: Interpreter?
        weak var function: Closure?
        do {
            let i = Interpreter(output: Captured())
            let outcome = i.run(SourceFile(name: "t.ecsh", text: "let n = 1\nfn f() { return n }\nprint(f())"))
            #expect(outcome.isFinished)
            if case .function(let c)? = i.global("f") { function = c }
            interpreter = i
        }
        #expect(interpreter == nil)
        #expect(function == nil)
    }
}
