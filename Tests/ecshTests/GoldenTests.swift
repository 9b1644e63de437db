import Foundation
import Testing

extension ProcessTests {

/// Every `Tests/Golden/**/NAME.ecsh` runs through the real binary from its own folder
/// (with the ecsh options of `NAME.options` before it and the script arguments of `NAME.args` after);
/// its stdout, stderr and exit status must equal `NAME.stdout`, `NAME.stderr` (empty when
/// absent) and `NAME.status` (0 when absent). Adding a case means adding files.
struct GoldenTests {
    static let root = Binary.packageRoot.appendingPathComponent("Tests/Golden")

    static let cases: [String] = {
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".ecsh") && !$0.contains("/lib/") && !$0.hasPrefix("lib/") }.sorted()
    }()

    @Test func corpusIsThere() {
        #expect(Self.cases.count >= 20, "golden corpus missing under \(Self.root.path)")
    }

    @Test(arguments: cases)
    func golden(_ relative: String) throws {
        let script = Self.root.appendingPathComponent(relative)
        let dir = script.deletingLastPathComponent()
        let base = script.deletingPathExtension()
        func expected(_ ext: String) -> String? {
            try? String(contentsOf: base.appendingPathExtension(ext), encoding: .utf8)
        }
        let stdin = expected("stdin")
        let args = expected("args")?.split(separator: "\n").map(String.init) ?? []
        let options = expected("options")?.split(separator: "\n").map(String.init) ?? []
        let r = try Binary.run(options + [script.lastPathComponent] + args, in: dir, stdin: stdin)
        #expect(!r.signalled, "ecsh crashed on \(relative)")
        #expect(r.stdout == (expected("stdout") ?? ""), "stdout of \(relative)")
        #expect(r.stderr == (expected("stderr") ?? ""), "stderr of \(relative)")
        let status = Int32(expected("status")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? -1
        #expect(r.status == status, "exit status of \(relative)")
    }

    /// Broken playbooks whose mistake sits after a `run()`: `ecsh check` reports the same
    /// error the run does (which, with `--local`, launched nothing: its expected stderr is
    /// that error alone).
    static let playbooks: [String] = cases.filter { $0.hasPrefix("playbooks/") }

    @Test func playbookCorpusIsThere() {
        #expect(Self.playbooks.count >= 8, "broken playbooks missing under \(Self.root.path)/playbooks")
    }

    @Test(arguments: playbooks)
    func checkRefusesBrokenPlaybook(_ relative: String) throws {
        let script = Self.root.appendingPathComponent(relative)
        let expected = try String(contentsOf: script.deletingPathExtension().appendingPathExtension("stderr"), encoding: .utf8)
        let r = try Binary.run(["check", script.lastPathComponent], in: script.deletingLastPathComponent())
        #expect(r.status == 1, "ecsh check \(relative)")
        #expect(r.stdout == "")
        #expect(r.stderr == expected, "ecsh check \(relative) reports what the run reports")
        #expect(expected.hasPrefix("\(script.lastPathComponent):"), "the error names file:line:column")
    }
}
}
