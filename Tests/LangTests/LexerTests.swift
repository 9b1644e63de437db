import Testing
@testable import Lang

struct LexerTests {
    func kinds(_ text: String) throws -> [Token.Kind] {
        try Lexer.tokenize(SourceFile(name: "t", text: text)).map(\.kind)
    }

    func lexError(_ text: String) -> Diagnostic? {
        do {
            _ = try Lexer.tokenize(SourceFile(name: "t", text: text))
            return nil
        } catch {
            return error
        }
    }

    @Test func numbersAndDurations() throws {
        #expect(try kinds("1_000 0x1f 3.14 1e-3") == [.int(1000), .int(31), .float(3.14), .float(0.001), .eof])
        #expect(try kinds("500ms 30s 5m 1h 1h30m") == [
            .duration(500_000_000), .duration(30_000_000_000), .duration(300_000_000_000),
            .duration(3_600_000_000_000), .duration(5_400_000_000_000), .eof,
        ])
    }

    @Test func rangesDoNotEatTheDot() throws {
        #expect(try kinds("0..3") == [.int(0), .punct(.dotDot), .int(3), .eof])
        #expect(try kinds("1..=3") == [.int(1), .punct(.dotDotEq), .int(3), .eof])
    }

    @Test func stringsAndEscapes() throws {
        #expect(try kinds(#""a\n\t\\\"\$b""#) == [.string([.text("a\n\t\\\"$b")]), .eof])
        #expect(try kinds(#"'raw ${x} \n'"#) == [.string([.text(#"raw ${x} \n"#)]), .eof])
        let parts = try kinds(#""x${1 + 2}y""#)
        guard case .string(let p) = parts[0] else { Issue.record("not a string"); return }
        #expect(p.count == 3)
        #expect(p[0] == .text("x") && p[2] == .text("y"))
    }

    @Test func shebangAndComments() throws {
        #expect(try kinds("#!/usr/bin/env ecsh\nx # note\n") == [.newline, .identifier("x"), .newline, .eof])
    }

    @Test func errorsCarryPositions() {
        #expect(throws: Diagnostic.self) { try kinds("\"open") }
        let open = lexError("let x = \"open")
        #expect(open?.message.contains("unterminated string") == true)
        #expect(open?.atEndOfInput == false, "more lines cannot close a one-line string")
        #expect(open?.range?.location == SourceLocation(line: 1, column: 9))
        #expect(lexError("x = 12abc")?.message == "invalid number literal '12abc'")
        #expect(lexError("99999999999999999999")?.message.contains("too large") == true)
    }

    @Test func aQuotedStringEndsOnItsLine() {
        let e = lexError("let a = \"open\nlet b = \"x\"\n")
        #expect(e?.message.contains("must end on the line it starts") == true)
        #expect(e?.range?.location == SourceLocation(line: 1, column: 9), "at the opening quote, not at the next quote")
        #expect(e?.atEndOfInput == false, "a REPL entry does not wait for more lines")
        #expect(throws: Diagnostic.self) { try kinds("\"a ${x}\nb\"") }
    }

    @Test func tripleQuotedStringsSpanLinesAndDropTheClosingIndentation() throws {
        func text(_ source: String) throws -> [StringPart] {
            guard case .string(let parts)? = try kinds(source).first else { Issue.record("not a string"); return [] }
            return parts
        }
        #expect(try text("\"\"\"\n    a\n      b\n    \"\"\"") == [.text("a\n  b")])
        #expect(try text("\"\"\"one \"quoted\" line\"\"\"") == [.text("one \"quoted\" line")])
        #expect(try text("\"\"\"\nkeep\n  as is\"\"\"") == [.text("keep\n  as is")])
        #expect(try text("\"\"\"\n  x\\ty\n  \"\"\"") == [.text("x\ty")])
        let parts = try text("\"\"\"\n  v=${n}\n  \"\"\"")
        #expect(parts.count == 2 && parts[0] == .text("v="))
        let open = lexError("let s = \"\"\"\nnever closed\n")
        #expect(open?.message == "unterminated string: expected a closing \"\"\"")
        #expect(open?.atEndOfInput == true, "a REPL entry goes on until the closing quotes")
        #expect(try kinds("\"\" + x") == [.string([]), .punct(.plus), .identifier("x"), .eof])
    }

    @Test func rejectsBinary() {
        let file = SourceFile(name: "bin", bytes: [0x6C, 0x65, 0x74, 0xFF, 0xFE])
        do {
            _ = try Lexer.tokenize(file)
            Issue.record("binary accepted")
        } catch {
            #expect(error.message.contains("invalid UTF-8"))
        }
        #expect(lexError("a \u{7}")?.message == "unexpected byte 0x7")
        let nul = SourceFile(name: "nul", bytes: [0x61, 0x00])
        #expect(throws: Diagnostic.self) { try Lexer.tokenize(nul) }
    }
}
