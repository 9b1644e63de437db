import Testing
@testable import Lang

struct ParserTests {
    @Test func precedenceFollowsTheTable() async {
        #expect(await output("print(1 + 2 * 3, (1 + 2) * 3, -2 * 3, 10 - 4 - 3)") == "7 9 -6 3\n")
        #expect(await output("print(not 1 == 2, true or false and false, nil ?? 1 + 1)") == "true true 2\n")
        #expect(await output("print(1 + 1 in [2], 0..1 + 2)") == "true 0..3\n")
    }

    @Test func newlinesContinueInsideBracketsAndAfterOperators() async {
        #expect(await output("let x = (1\n + 2)\nlet y = [1,\n 2]\nlet z = 1 +\n 2\nprint(x, y, z)") == "3 [1, 2] 3\n")
        #expect(await output("let m = {\n a: 1,\n b: 2\n}\nprint(m)") == "{\"a\": 1, \"b\": 2}\n")
    }

    @Test func chainedComparisonIsAnError() async {
        let r = await run("print(1 < 2 < 3)")
        #expect(r.message == "comparisons cannot be chained: write 'a < b and b < c'")
    }

    @Test func everySyntaxErrorIsReported() async {
        let r = await run("let = 1\nprint(\"ok\")\nvar 3 = x\n")
        #expect(r.diagnostics.count == 2)
        #expect(r.diagnostics.map { $0.range?.location.line } == [1, 3])
    }

    @Test func deepNestingIsAnErrorNotACrash() async {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let r = await run("print(\(deep))")
        #expect(r.message?.contains("nested too deeply") == true)
    }

    @Test func unfinishedInputAsksForMore() {
        #expect(Interpreter.needsMoreInput("fn f() {"))
        #expect(Interpreter.needsMoreInput("print(\"abc"))
        #expect(Interpreter.needsMoreInput("let x = [1,"))
        #expect(!Interpreter.needsMoreInput("let x = 1"))
        #expect(!Interpreter.needsMoreInput("let x = )"))
    }
}
