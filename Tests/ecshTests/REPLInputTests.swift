import Foundation
import Testing

extension ProcessTests {

/// The REPL's input as a person types it: named arguments and file paths completed,
/// `else` on the line after `}`, a multi-line entry recalled whole.
@Suite(.serialized)
struct REPLInputTests {
    func session() throws -> (Tmux, TempHome) {
        let home = try TempHome()
        let tmux = try Tmux()
        try tmux.start(Binary.path, environment: home.environment)
        try tmux.expect("the prompt") { $0.last == "ecsh>" }
        return (tmux, home)
    }

    @Test func tabCompletesNamedArgumentsAndPaths() throws {
        let (tmux, home) = try session()
        defer { tmux.kill(); home.remove() }
        try tmux.type("wait(x, unt")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> wait(x, until:"])
        try tmux.type("1")
        try tmux.expectEnd(["ecsh> wait(x, until: 1"])
        try tmux.keys("C-u")
        // Given already: not offered again.
        try tmux.type("wait(x, until: \"running\", ti")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> wait(x, until: \"running\", timeout:"])
        try tmux.keys("C-u")

        let root = Binary.packageRoot.path
        try tmux.type("read_file(\"\(root)/exam")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> read_file(\"\(root)/examples/"])
        try tmux.type("ecsp")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> read_file(\"\(root)/examples/ecspresso.yml\""])
        try tmux.enter(").split(\"\\n\")[0]")
        try tmux.expect("the file's first line") { $0.last == "ecsh>" && $0.dropLast().last?.hasPrefix("\"") == true }
        // A string that is not a path argument completes nothing.
        try tmux.keys("C-u")
        try tmux.type("print(\"exam")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> print(\"exam"])
        try tmux.keys("C-u", "C-d")
        try tmux.expectExit(0)
    }

    @Test func elseOnTheNextLineContinuesTheIf() throws {
        let (tmux, home) = try session()
        defer { tmux.kill(); home.remove() }
        try tmux.enter("let x = 1")
        // The prompt first: keys typed before it would be echoed ahead of it.
        try tmux.expectEnd(["ecsh> let x = 1", "ecsh>"])
        try tmux.enter("if x > 5 { print(\"big\") }")
        try tmux.expectEnd(["ecsh> if x > 5 { print(\"big\") }", "...>"])
        try tmux.enter("else { print(\"small\") }")
        try tmux.expectEnd(["...> else { print(\"small\") }", "small", "ecsh>"])
        // An empty line ends the if.
        try tmux.enter("if x > 0 { print(\"positive\") }")
        try tmux.expectEnd(["ecsh> if x > 0 { print(\"positive\") }", "...>"])
        try tmux.enter("")
        try tmux.expectEnd(["...>", "positive", "ecsh>"])
        // Another statement: the if runs first, then it.
        try tmux.enter("if x > 0 { print(\"first\") }")
        try tmux.expectEnd(["ecsh> if x > 0 { print(\"first\") }", "...>"])
        try tmux.enter("print(\"second\")")
        try tmux.expectEnd(["...> print(\"second\")", "first", "second", "ecsh>"])
        // else if, then else.
        try tmux.enter("if x > 5 { print(\"a\") }")
        try tmux.expectEnd(["ecsh> if x > 5 { print(\"a\") }", "...>"])
        try tmux.enter("else if x > 0 { print(\"b\") }")
        try tmux.expectEnd(["...> else if x > 0 { print(\"b\") }", "...>"])
        try tmux.enter("else { print(\"c\") }")
        try tmux.expectEnd(["...> else { print(\"c\") }", "b", "ecsh>"])
        try tmux.keys("C-d")
        try tmux.expectExit(0)
    }

    @Test func aMultiLineEntryIsOneHistoryEntry() throws {
        let (tmux, home) = try session()
        defer { tmux.kill(); home.remove() }
        try tmux.enter("fn add(a, b) {")
        try tmux.enter("  return a + b")
        try tmux.enter("}")
        try tmux.expectEnd(["...> }", "ecsh>"])
        try tmux.enter("add(1, 2)")
        try tmux.expectEnd(["ecsh> add(1, 2)", "3", "ecsh>"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> add(1, 2)"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> fn add(a, b) {", "  return a + b", "}"])
        try tmux.keys("C-u")
        try tmux.keys("C-d")
        try tmux.expectExit(0)
        #expect(try home.historyLines() == ["\u{1E}fn add(a, b) {\\n  return a + b\\n}", "add(1, 2)"])

        // A new session recalls it whole, and it runs whole.
        try tmux.start(Binary.path, environment: home.environment)
        try tmux.expect("the prompt") { $0.last == "ecsh>" }
        try tmux.keys("Up", "Up")
        try tmux.expectEnd(["ecsh> fn add(a, b) {", "  return a + b", "}"])
        try tmux.keys("Enter")
        try tmux.expect("the function defined again") { $0.last == "ecsh>" }
        try tmux.enter("add(2, 3)")
        try tmux.expectEnd(["ecsh> add(2, 3)", "5", "ecsh>"])
        try tmux.keys("C-d")
        try tmux.expectExit(0)
    }
}
}

extension ProcessTests.REPLInputTests {
    @Test func tabAfterAnyExpressionOffersItsTypesFieldsAndMethods() throws {
        let (tmux, home) = try session()
        defer { tmux.kill(); home.remove() }
        // tasks() is a List of Task: its item's fields, from the Task schema.
        try tmux.type("tasks()[0].exitC")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> tasks()[0].exitCode"])
        try tmux.keys("C-u")
        try tmux.type("tasks()[0].containers[0].imageD")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> tasks()[0].containers[0].imageDigest"])
        try tmux.keys("C-u")
        // A method gets its parenthesis; no keyword is offered after a dot.
        try tmux.type("range(3).ma")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> range(3).map("])
        try tmux.keys("C-u")
        try tmux.type("len(tasks()) + tasks()[0].platformV")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> len(tasks()) + tasks()[0].platformVersion"])
        try tmux.keys("C-u")
        try tmux.type("tasks()[0].zz")
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> tasks()[0].zz"])
        try tmux.keys("C-u", "C-d")
        try tmux.expectExit(0)
    }
}
