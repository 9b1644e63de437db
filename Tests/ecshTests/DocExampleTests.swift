import Foundation
import Testing

extension ProcessTests {

/// Every example of the language reference runs: each ```ecsh block of docs/language.md
/// is a script run by the real binary from a fresh folder as `example.ecsh`; an ```output
/// block right after it is its stdout, an ```error block its stderr (and status 1). A block
/// opened as ```ecsh --local runs with `--local`. Adding an example to the reference adds
/// a test.
struct DocExampleTests {
    struct Example: CustomTestStringConvertible, Sendable {
        let line: Int
        let source: String
        let options: [String]
        let output: String?
        let error: String?
        var testDescription: String { "docs/language.md:\(line)" }
    }

    static let document = Binary.packageRoot.appendingPathComponent("docs/language.md")

    static let examples: [Example] = {
        guard let text = try? String(contentsOf: document, encoding: .utf8) else { return [] }
        // Fenced blocks in order: (info string, body, first line).
        var blocks: [(info: String, body: String, line: Int)] = []
        var current: (info: String, lines: [String], line: Int)?
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            if raw.hasPrefix("```") {
                if let c = current {
                    blocks.append((c.info, c.lines.joined(separator: "\n") + (c.lines.isEmpty ? "" : "\n"), c.line))
                    current = nil
                } else {
                    current = (String(raw.dropFirst(3)).trimmingCharacters(in: .whitespaces), [], i + 2)
                }
            } else if current != nil {
                current?.lines.append(raw)
            }
        }
        var out: [Example] = []
        for (k, b) in blocks.enumerated() where b.info.hasPrefix("ecsh") {
            let options = b.info.split(separator: " ").dropFirst().map(String.init)
            var output: String?, error: String?
            for next in blocks.dropFirst(k + 1).prefix(2) {
                if next.info == "output", output == nil, error == nil { output = next.body; continue }
                if next.info == "error", error == nil { error = next.body; continue }
                break
            }
            out.append(Example(line: b.line, source: b.body, options: options, output: output, error: error))
        }
        return out
    }()

    @Test func theReferenceHasExamples() {
        #expect(Self.examples.count >= 20, "expected the language reference's examples in \(Self.document.path)")
    }

    @Test(arguments: examples)
    func exampleRuns(_ e: Example) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try e.source.write(to: dir.appendingPathComponent("example.ecsh"), atomically: true, encoding: .utf8)
        let r = try Binary.run(e.options + ["--progress", "off", "example.ecsh"], in: dir)
        #expect(!r.signalled)
        if let error = e.error {
            #expect(r.status == 1, "status of the example at \(e.testDescription)")
            #expect(r.stderr == error, "stderr of the example at \(e.testDescription)")
        } else {
            #expect(r.status == 0, "the example at \(e.testDescription) failed: \(r.stderr)")
        }
        if let output = e.output {
            #expect(r.stdout == output, "stdout of the example at \(e.testDescription)")
        }
    }
}
}
