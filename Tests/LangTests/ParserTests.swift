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

    @Test func anAssignmentInAConditionSaysToCompare() async {
        let r = await run("let code = 1\nif code = 1 { print(1) }")
        #expect(r.message == "'=' assigns and cannot stand in the condition of 'if': to compare, use '=='")
        #expect(r.diagnostics.first?.range?.location == SourceLocation(line: 2, column: 9))
        #expect(await run("var n = 0\nwhile n = 1 {}").message?.contains("condition of 'while'") == true)
        #expect(await output("var n = 1\nif n == 1 { n = 2 }\nprint(n)") == "2\n")
    }

    @Test func shortNamesGetAHintOnlyWhenOneCandidateIsOneEditAway() {
        #expect(suggestion(for: "rn", among: ["run", "print", "wait"]) == "run")
        #expect(suggestion(for: "x", among: ["i", "n", "xs"]) == nil, "three candidates one edit away")
        #expect(suggestion(for: "N", among: ["n", "len"]) == "n")
        #expect(suggestion(for: "fro", among: ["for", "try"]) == "for", "a swap of neighbours is one edit")
        #expect(suggestion(for: "zz", among: ["run"]) == nil)
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
        // A "..." string ends on its line, so more lines cannot finish it; a """ string can.
        #expect(!Interpreter.needsMoreInput("print(\"abc"))
        #expect(Interpreter.needsMoreInput("print(\"\"\"abc"))
        #expect(Interpreter.needsMoreInput("print(\"${[1,"))
        #expect(Interpreter.needsMoreInput("let x = [1,"))
        #expect(!Interpreter.needsMoreInput("let x = 1"))
        #expect(!Interpreter.needsMoreInput("let x = )"))
    }
}
