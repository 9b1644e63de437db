import Lang
import Testing

/// The REPL's input helpers: when an `if` may take an `else` on the next line, and the
/// members Tab offers after an expression, by its static type.
@Suite struct REPLInputAPITests {
    @Test(arguments: [
        ("if x { 1 }", true),
        ("if x { 1 } else if y { 2 }", true),
        ("if x { 1 } else { 2 }", false),
        ("if x { 1 } else if y { 2 } else { 3 }", false),
        ("while x { 1 }", false),
        ("let a = 1\nif a > 0 {\n  print(a)\n}", true),
        ("if x { 1 }\nprint(2)", false),
        ("if x {", false),
    ])
    func mayContinueWithElse(_ text: String, _ expected: Bool) {
        #expect(Interpreter.mayContinueWithElse(text) == expected, "\(text)")
    }

    @Test func startsWithElse() {
        #expect(Interpreter.startsWithElse("else { 1 }"))
        #expect(Interpreter.startsWithElse("  else if y { 2 }"))
        #expect(Interpreter.startsWithElse("else"))
        #expect(!Interpreter.startsWithElse("elsewhere = 1"))
        #expect(!Interpreter.startsWithElse("print(1)"))
    }

    @Test func staticMembersFollowTheCheckersTypes() {
        let i = Interpreter()
        _ = i.runREPLEntry(SourceFile(name: "<repl:1>", text: #"let m = {alpha: 1}"#))
        let names = { (e: String) in i.staticMembers(of: e).map(\.name) }
        #expect(names("range(3)").contains("map"))
        #expect(names(#""abc".upper()"#).contains("split"))
        #expect(names("[1, 2][0]").isEmpty, "an Int has no members")
        #expect(names("m").contains("keys"))
        #expect(i.staticMembers(of: "m").first { $0.name == "keys" }?.isMethod == true)
        #expect(names("nope(").isEmpty, "not an expression")
        #expect(names("undefinedName").isEmpty, "a type not known")
    }
}
