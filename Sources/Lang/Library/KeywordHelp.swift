/// What `help("for")` says about each keyword: its forms and one line on what it does, so
/// that a new user who asks about the language, not a built-in, gets an answer.
enum KeywordHelp {
    static let entries: [String: String] = [
        "let": "let name = value\n  Declares a constant: it cannot be assigned again.",
        "var": "var name = value\n  Declares a variable; assign it with =, +=, -=, *=, /=, %=.",
        "fn": "fn name(a, b = default) { ... }   fn(x) => expression\n  Declares a function, or makes an anonymous one.",
        "return": "return value\n  Leaves the function with a value (nil without one); not allowed at the top level (use exit(n)).",
        "if": "if condition { ... } else if other { ... } else { ... }\n  Runs the first block whose condition (a Bool) is true. Compare with ==, not =.",
        "else": "if condition { ... } else { ... }\n  The block run when no condition of the if was true; may start the line after }.",
        "while": "while condition { ... }\n  Runs the block as long as the condition (a Bool) is true.",
        "for": "for x in items { ... }   for i, x in items { ... }\n  Runs the block for each item of a List, Range, String or Map (keys); with two names, the index (or key) and the item.",
        "in": "x in items   for x in items { ... }\n  Membership (List item, substring, Map key, Int in a Range), and the iterable of a for loop.",
        "break": "break\n  Leaves the innermost while or for loop.",
        "continue": "continue\n  Goes on with the next turn of the innermost while or for loop.",
        "try": "try { ... } catch e { ... }\n  Runs the block; an error in it runs the catch block with e (e.code, e.message).",
        "catch": "try { ... } catch e { ... }\n  The block run when the try block raises an error, with the error as e.",
        "true": "true\n  The Bool true.",
        "false": "false\n  The Bool false.",
        "nil": "nil\n  No value; x ?? default replaces it and x?.field skips it.",
        "and": "a and b\n  true when both Bools are; b is not evaluated when a is false.",
        "or": "a or b\n  true when either Bool is; b is not evaluated when a is true.",
        "not": "not a   x not in items\n  The negation of a Bool.",
        "import": "import \"lib.ecsh\" as lib\n  Runs another file once and gives its top-level names as lib.name.",
        "as": "import \"lib.ecsh\" as lib\n  Names the module of an import.",
    ]
}
