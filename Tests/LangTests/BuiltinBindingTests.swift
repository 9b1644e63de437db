import Testing
@testable import Lang

/// A call of a built-in by position alone binds without the general binder when its count
/// allows (`DirectBinding`); naming the same arguments goes through the binder. Both must
/// give the built-in the same values, the same "given" flags and the same errors.
@Suite struct BuiltinBindingTests {
    /// Shows what it received: each value, and `*` after the ones the call gave.
    static func probe(_ name: String, _ parameters: [BuiltinParameter]) -> Builtin {
        Builtin(name, parameters, doc: "Echoes its arguments.") { args, _ in
            .string(zip(args.values, args.given).map { v, g in v.repr + (g ? "*" : "") }.joined(separator: " "))
        }
    }

    static let builtins = [
        probe("one", [.init("a")]),
        probe("opt", [.init("a"), .init("b", default: .int(2)), .optional("c")]),
        probe("typed", [.init("a", type: .int), .init("b", default: .string("x"), type: .string)]),
        probe("named", [.init("a"), .init("flag", .named, default: .bool(false))]),
        probe("rest", [.init("a"), .init("more", .variadic)]),
        probe("needsName", [.init("a"), .init("key", .named)]),
    ]

    @Test func byPositionAndByNameBindAlike() async {
        let src = """
            print(one(1)); print(one(a: 1))
            print(opt(1)); print(opt(a: 1))
            print(opt(1, 5)); print(opt(a: 1, b: 5))
            print(opt(1, 5, nil)); print(opt(a: 1, b: 5, c: nil))
            print(typed(3)); print(typed(a: 3))
            print(typed(3, "y")); print(typed(a: 3, b: "y"))
            print(named(1)); print(named(a: 1))
            print(rest(1)); print(rest(a: 1))
            print(rest(1, 2, 3))
            print(needsName(1, key: 2)); print(needsName(a: 1, key: 2))
            """
        let r = await run(src, builtins: Self.builtins)
        #expect(r.outcome.isFinished, "\(r.outcome)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "1*", "1*",
            "1* 2 nil", "1* 2 nil",
            "1* 5* nil", "1* 5* nil",
            "1* 5* nil*", "1* 5* nil*",
            "3* \"x\"", "3* \"x\"",
            "3* \"y\"*", "3* \"y\"*",
            "1* false", "1* false",
            "1* []", "1* []",
            "1* [2, 3]*",
            "1* 2*", "1* 2*",
            "",
        ])
    }

    /// Errors a call finds only when it runs (the arguments' types are not known before).
    @Test(arguments: [
        ("fn f(x) { return x }\ntry { typed(f(\"s\")) } catch e { print(e.message) }",
         "typed(): 'a' must be an Int, got a String"),
        ("fn f(x) { return x }\ntry { typed(a: f(\"s\")) } catch e { print(e.message) }",
         "typed(): 'a' must be an Int, got a String"),
        ("fn f(x) { return x }\ntry { typed(1, f(2)) } catch e { print(e.message) }",
         "typed(): 'b' must be a String, got an Int"),
        ("let g = [opt][0]\ntry { g() } catch e { print(e.message) }",
         "opt() is missing argument 'a'"),
        ("let g = [opt][0]\ntry { g(1, 2, 3, 4) } catch e { print(e.message) }",
         "opt() takes at most 3 positional arguments, got 4"),
        ("let g = [needsName][0]\ntry { g(1) } catch e { print(e.message) }",
         "needsName() is missing argument 'key'"),
    ])
    func runTimeErrorsReadTheSame(_ source: String, _ message: String) async {
        let r = await run(source, builtins: Self.builtins)
        #expect(r.outcome.isFinished, "\(r.outcome)")
        #expect(r.out == message + "\n")
    }
}
