import Lang

/// The static half of "step names are unique within a run": two `step("same", ...)`
/// with the same literal name are refused before anything runs. Names computed at run
/// time are checked by `step()` itself.
enum StepNames {
    /// The second `step("x", ...)` of a name used before, as an error at that call.
    static func duplicateLiterals(in file: SourceFile) -> Diagnostic? {
        var first: [String: Int] = [:]
        var lineNumber = 0
        var lineStart = 0
        for line in file.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            for call in literalCalls(in: Array(line)) {
                if let earlier = first[call.name] {
                    let range = SourceRange(file: file, start: lineStart + call.offset, end: lineStart + call.end)
                    return Diagnostic(.resolve, "step name '\(call.name)' is used twice (first at line \(earlier)): step names must be unique within a run", at: range)
                }
                first[call.name] = lineNumber
            }
            lineStart += line.count + 1
        }
        return nil
    }

    /// The `step("literal"` calls of one line, with the byte offsets of `step` and of the
    /// end of the name's closing quote.
    /// Not a call: `step(` after a `#` or inside a string on the line, a name with `${`
    /// interpolation (`$`), or `step` ending a longer word.
    static func literalCalls(in line: [UInt8]) -> [(name: String, offset: Int, end: Int)] {
        let keyword = Array("step(".utf8)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), dollar = UInt8(ascii: "$")
        var calls: [(name: String, offset: Int, end: Int)] = []
        var quotes = 0, comment = false
        var i = 0
        while i < line.count {
            let b = line[i]
            if b == UInt8(ascii: "#") { comment = true }
            if b == quote { quotes += 1 }
            guard b == keyword[0], !comment, quotes % 2 == 0,
                  line.count - i >= keyword.count, Array(line[i..<(i + keyword.count)]) == keyword,
                  i == 0 || !isWordByte(line[i - 1]) else { i += 1; continue }
            var j = i + keyword.count
            while j < line.count, isSpace(line[j]) { j += 1 }
            guard j < line.count, line[j] == quote else { i += 1; continue }
            j += 1
            let start = j
            var closed = false
            while j < line.count {
                let c = line[j]
                if c == quote { closed = true; break }
                if c == dollar { break }
                if c == backslash { j += 2; continue }
                j += 1
            }
            guard closed, j < line.count else { i += 1; continue }
            calls.append((String(decoding: line[start..<j], as: UTF8.self), i, j + 1))
            // The name's quotes are the call's own, not a string the rest of the line is in.
            i = j + 1
        }
        return calls
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == 0x0B || b == 0x0C
    }
}
