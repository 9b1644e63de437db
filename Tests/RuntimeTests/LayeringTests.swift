import Foundation
import Testing

/// The orchestration and the backends speak the runtime's own types: no script values,
/// no built-in names, no script errors. Scripts meet them only through Builtins/.
@Suite struct LayeringTests {
    /// What may not appear below the built-ins, with why.
    static let forbidden: [(pattern: String, why: String)] = [
        (#"^\s*(@testable\s+)?import\s+Lang\b"#, "imports the script language"),
        (#"\bValue\b"#, "mentions script values"),
        (#"\bbuiltin:"#, "threads a built-in's name"),
        (#"\bScriptErrors?\b"#, "raises script errors"),
        (#"\bTaskRecord\b"#, "builds script records"),
        (#"\bTimeouts\b"#, "formats for scripts"),
    ]

    static let layers = ["Sources/Runtime/Orchestration", "Sources/Runtime/Backends"]

    /// `path:line: why: text` for each offending line of `text`.
    static func violations(in text: String, path: String) throws -> [String] {
        // Simple word boundaries: `TaskRecord.make` is one word to Unicode's default rules.
        let rules = try forbidden.map { (try Regex($0.pattern).wordBoundaryKind(.simple), $0.why) }
        var found: [String] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for (regex, why) in rules where line.contains(regex) {
                found.append("\(path):\(i + 1): \(why): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        return found
    }

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func orchestrationAndBackendsStayBelowTheBuiltins() throws {
        var found: [String] = []
        var scanned = 0
        for layer in Self.layers {
            let dir = Self.root.appendingPathComponent(layer)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
            for file in files {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                found += try Self.violations(in: text, path: "\(layer)/\(file)")
                scanned += 1
            }
        }
        #expect(scanned >= 20, "the layers were found and read (\(scanned) files)")
        #expect(found.isEmpty, "\(["", found.joined(separator: "\n")].joined(separator: "\n"))")
    }

    /// Lines the old orchestration had: each is caught, with its place.
    @Test(arguments: [
        "import Lang",
        #"    if !unanswered.isEmpty, var e = ScriptErrors.convert(firstError, builtin: "run") as? ScriptError {"#,
        "    public var parameters: OrderedDictionary<String, Value>",
        #"            details: ["reasons": .list(unique.map(Value.string))])"#,
        #"        e.details["tasks"] = .list(running.map(TaskRecord.make))"#,
        #"        return ScriptError("\(builtin)(): timed out after \(Timeouts.text(after))", code: "WaitTimeout")"#,
    ])
    func theCheckCatchesWhatTheOldCodeDid(_ line: String) throws {
        let found = try Self.violations(in: "// fine\n" + line, path: "Launcher.swift")
        #expect(found.first?.hasPrefix("Launcher.swift:2: ") == true, "\(found)")
    }

    @Test(arguments: ["let v: JSONValue = .null", "fields.removeValue(forKey: k)", "service.rawValue", "// a built-in's answer",
                      "ValueError", "TaskRecords", "let builtins: [String]"])
    func nearNamesAreNotCaught(_ line: String) throws {
        #expect(try Self.violations(in: line, path: "X.swift").isEmpty)
    }
}
