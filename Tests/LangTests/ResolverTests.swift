import Testing
@testable import Lang

struct ResolverTests {
    @Test func unknownNameSuggestsTheClosest() async {
        let r = await run("let deployment = 1\nprint(deploymnet)")
        #expect(r.message == "unknown name 'deploymnet' (did you mean 'deployment'?)")
        #expect(r.diagnostics.first?.range?.location == SourceLocation(line: 2, column: 7))
    }

    @Test func nothingRunsWhenAnyNameIsWrong() async {
        let r = await run("print(\"launched\")\nprnt(1)")
        #expect(r.out == "")
        #expect(r.outcome.isRejected)
    }

    @Test func staticChecks() async {
        #expect(await run("let a = 1\na = 2").message?.hasPrefix("cannot assign to 'a': it is a let constant") == true)
        #expect(await run("break").message == "'break' outside a loop")
        #expect(await run("fn f() { continue }").message == "'continue' outside a loop")
        #expect(await run("return 1").message?.hasPrefix("'return' outside a function") == true)
        #expect(await run("print(1, sepp: \",\")").message == "print() has no parameter named 'sepp' (did you mean 'sep'?)")
        #expect(await run("fn f(a, b = 1) {}\nf(c: 2)").message?.contains("no parameter named 'c'") == true)
        #expect(await run("fn f(a) {}\nf()").message == "f() is missing argument 'a'")
        #expect(await run("let x = 1\nlet x = 2").message == "'x' is already declared in this scope (line 1)")
        #expect(await run("print(y)\nlet y = 1").message == "'y' is used before its declaration on line 2")
        #expect(await run("let xs = []\nxs.append(1)").message?.hasPrefix("cannot append to 'xs'") == true)
    }

    @Test func functionsSeeLaterNamesAndEachOther() async {
        let src = """
        fn even(n) { if n == 0 { return true }
          return odd(n - 1) }
        fn odd(n) { if n == 0 { return false }
          return even(n - 1) }
        let label = "x"
        fn show() { return label }
        print(even(10), show())
        """
        #expect(await output(src) == "true x\n")
    }

    @Test func closuresCaptureEachIterationsVariable() async {
        let src = """
        var fs = []
        for i in 0..3 { fs.append(fn() => i * 10) }
        print(fs.map(fn(f) => f()))
        fn counter() {
          var n = 0
          return fn() { n += 1
            return n }
        }
        let c = counter()
        c(); c()
        print(c())
        """
        #expect(await output(src) == "[0, 10, 20]\n3\n")
    }

    @Test func shadowingInABlock() async {
        #expect(await output("let x = 1\nif true { let x = 2\n print(x) }\nprint(x)") == "2\n1\n")
    }
}
