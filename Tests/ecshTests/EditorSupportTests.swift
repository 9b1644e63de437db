import Foundation
import Lang
import Runtime
import Testing

extension ProcessTests {

/// Editor support as an editor uses it: `ecsh lsp` driven over stdio by a real LSP client
/// library (pygls, which scripts/setup installs), and the TextMate grammar in editors/.
struct EditorSupportTests {
    @Test func languageServerAnswersARealClient() throws {
        let script = Binary.packageRoot.appendingPathComponent("Tests/lsp/lsp_client_test.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, Binary.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "the LSP client test failed:\n\(o)\n\(e.suffix(3000))")
        #expect(o.contains(" passed, 0 failed"), "\(o)")
    }

    @Test func grammarKnowsTheLanguagesWords() throws {
        let url = Binary.packageRoot.appendingPathComponent("editors/ecsh.tmLanguage.json")
        let grammar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(grammar["scopeName"] as? String == "source.ecsh")
        // Every regular expression of the grammar compiles.
        var patterns: [String] = []
        func collect(_ v: Any) {
            if let d = v as? [String: Any] {
                for (k, x) in d {
                    if ["match", "begin", "end"].contains(k), let s = x as? String { patterns.append(s) } else { collect(x) }
                }
            } else if let a = v as? [Any] { a.forEach(collect) }
        }
        collect(grammar)
        #expect(patterns.count > 10)
        for p in patterns {
            #expect((try? NSRegularExpression(pattern: p)) != nil, "the grammar's pattern \(p) does not compile")
        }
        // Every keyword and every built-in of a full session is highlighted.
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        for k in Interpreter.keywords { #expect(text.contains("|\(k)|") || text.contains("(\(k)|") || text.contains("|\(k))"), "keyword \(k) missing") }
        let interpreter = Interpreter()
        ECSBuiltins.install(into: interpreter, session: ECSSession(options: SessionOptions(), output: { _ in }) { _ in
            throw AWSSetupError("no calls")
        })
        for name in interpreter.builtins.keys {
            #expect(text.contains("|\(name)|") || text.contains("(\(name)|") || text.contains("|\(name))"), "built-in \(name) missing")
        }
    }
}
}
