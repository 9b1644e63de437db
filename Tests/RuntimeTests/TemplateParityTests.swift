import Foundation
import Testing
@testable import Runtime

/// ecsh's template pass against what Go's text/template made of the same input
/// (Tests/Fixtures/templates: the cases and how they were made).
@Suite struct TemplateParityTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var env: [String: String]
        var template: String
        var go_output: String?
        var go_error: String?
        /// The part of Go's error ecsh's message must contain, where ecsh words it differently.
        var core: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/templates/go-template-cases.json")
        guard let data = try? Data(contentsOf: url), let cases = try? JSONDecoder().decode([Case].self, from: data) else { return [] }
        return cases
    }()

    @Test func theFixtureIsThere() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases) func rendersAsGoDoes(_ c: Case) throws {
        if let expected = c.go_output {
            let out = try Template.render(c.template, file: "conf.yml", environment: c.env)
            #expect(out == expected)
            return
        }
        let goError = try #require(c.go_error)
        // template: conf:LINE[:COL]: [executing "conf" at <...>: ]MESSAGE
        let pattern = try Regex(#"^template: conf:(\d+)(?::(\d+))?: (?:executing "conf" at <.*?>: )?(.*)$"#)
        let match = try #require(goError.firstMatch(of: pattern))
        let line = Int(String(match.output[1].substring ?? ""))
        let column = match.output[2].substring.flatMap { Int(String($0)) }
        let message = String(match.output[3].substring ?? "")
        do {
            let out = try Template.render(c.template, file: "conf.yml", environment: c.env)
            Issue.record("rendered \(out.debugDescription) where Go fails with \(goError)")
        } catch let e as ConfigError {
            #expect(e.file == "conf.yml")
            #expect(e.line == line, "\(e)")
            // Go counts columns from 0; ecsh from 1.
            if let column { #expect(e.column == column + 1, "\(e)") }
            #expect(e.message.contains(c.core ?? message), "\(e.message) vs Go's \(message)")
        }
    }
}
