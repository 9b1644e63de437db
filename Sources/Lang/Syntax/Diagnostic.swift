/// A message about a place in a script: a syntax or resolve error, or an uncaught runtime error.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case syntax, resolve, runtime }

    public let kind: Kind
    public let message: String
    public let range: SourceRange?
    /// Frames of a runtime error, innermost first: the function's name and where it was.
    public var callStack: [StackFrame]
    /// True when the parser stopped because the input ended early; the REPL reads more lines.
    public var atEndOfInput: Bool

    public init(_ kind: Kind, _ message: String, at range: SourceRange?, callStack: [StackFrame] = [],
                atEndOfInput: Bool = false) {
        self.kind = kind
        self.message = message
        self.range = range
        self.callStack = callStack
        self.atEndOfInput = atEndOfInput
        file = range?.file
    }

    /// Keeps the file alive for as long as the diagnostic may be rendered.
    private let file: SourceFile?

    public var description: String { render(color: false) }

    /// `file:line:column: error: message`, the source line, a caret under the span, and
    /// for runtime errors the call stack.
    public func render(color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : "", red = color ? "\u{1B}[1;31m" : "", green = color ? "\u{1B}[32m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        guard let range else { return "\(bold)error:\(reset) \(message)" }
        var out = "\(bold)\(range.description): \(red)error:\(reset)\(bold) \(message)\(reset)\n"
        let loc = range.location
        let (shown, caretColumn, caretWidth) = Self.excerpt(range: range, loc: loc)
        out += "    \(shown)\n"
        out += "    \(String(repeating: " ", count: caretColumn))\(green)^\(String(repeating: "~", count: max(0, caretWidth - 1)))\(reset)"
        // A stack of only the top level says nothing the first line does not.
        if callStack.count > 1 {
            for line in Self.stackLines(callStack) { out += "\n" + line }
        }
        return out
    }

    /// The call stack with runs of one frame folded, and a long stack cut in the middle,
    /// so runaway recursion prints a few lines, not ten thousand.
    static func stackLines(_ stack: [StackFrame]) -> [String] {
        var lines: [String] = []
        var i = 0
        while i < stack.count {
            var j = i
            while j + 1 < stack.count, stack[j + 1] == stack[i] { j += 1 }
            lines.append("  at \(stack[i].function) (\(stack[i].location))")
            if j > i { lines.append("  ... the frame above repeated \(j - i) more time\(j - i == 1 ? "" : "s")") }
            i = j + 1
        }
        if lines.count > 30 {
            let hidden = lines.count - 25
            lines = Array(lines.prefix(15)) + ["  ... \(hidden) more lines of the call stack ..."] + Array(lines.suffix(10))
        }
        return lines
    }

    /// The source line cut to a window around the error, so a 10 MB line prints a short excerpt.
    private static func excerpt(range: SourceRange, loc: SourceLocation) -> (String, Int, Int) {
        let line = Array(range.file.lineText(loc.line))
        let col = loc.column - 1
        let endLoc = range.file.location(of: range.end)
        var width = endLoc.line == loc.line ? max(1, endLoc.column - loc.column) : max(1, line.count - col)
        let window = 100
        var startIndex = 0
        if col > window - 20 { startIndex = col - (window - 20) }
        let endIndex = min(line.count, startIndex + window)
        var text = String(line[min(startIndex, line.count)..<endIndex]).replacingTabs()
        var caret = col - startIndex
        if startIndex > 0 { text = "…" + text; caret += 1 }
        if endIndex < line.count { text += "…" }
        width = max(1, min(width, max(1, endIndex - col)))
        return (text, caret, width)
    }
}

/// One frame of a runtime error's call stack.
public struct StackFrame: Sendable, Equatable {
    public let function: String
    public let location: String
}

extension String {
    /// Tabs become spaces and other control characters U+FFFD, so an excerpt of a binary
    /// file never writes raw control bytes to the terminal.
    fileprivate func replacingTabs() -> String {
        String(map { ch -> Character in
            if ch == "\t" { return " " }
            if let a = ch.asciiValue, a < 0x20 || a == 0x7F { return "\u{FFFD}" }
            return ch
        })
    }
}

/// Edit distance for "did you mean" hints: insertions, deletions, substitutions and swaps
/// of two neighbours (`fro` is one edit from `for`), each counting 1.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = [Int](repeating: 0, count: b.count + 1)
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], before[j - 2] + 1) }
        }
        (before, prev, cur) = (prev, cur, before)
    }
    return prev[b.count]
}

/// The closest candidate to `name`, if close enough to be a plausible typo ("did you mean").
public func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
    // Every short name is "close" to many others: one or two letters get a hint only when a
    // single candidate is one edit away (`rn` -> `run`, but `x` among `i` and `n` gets none).
    if name.count < 3 {
        guard !name.isEmpty else { return nil }
        var found: String?
        for c in candidates where c != name && editDistance(name, c) <= 1 {
            if found != nil, found != c { return nil }
            found = c
        }
        return found
    }
    var best: (String, Int)?
    for c in candidates where c != name {
        let d = editDistance(name, c)
        let limit = max(1, min(3, name.count / 3 + 1))
        if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

/// The outcome of compiling: the result, or every diagnostic found.
enum Checked<T> {
    case success(T)
    case failure([Diagnostic])
}
