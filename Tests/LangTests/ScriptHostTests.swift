import Foundation
import Synchronization
import Testing
@testable import Lang

/// A script reaches files, the environment and imports only through its interpreter's
/// host: an embedder's sandbox holds, and what it refuses reads as a script error.
struct ScriptHostTests {
    /// A real file and a real environment variable, so a test can show the script does not get them.
    static let realFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-host-\(UUID().uuidString).txt").path
        FileManager.default.createFile(atPath: path, contents: Data("real contents\n".utf8))
        return path
    }()
    static let realVariable = "ECSH_HOST_TEST_SECRET"

    init() { setenv(Self.realVariable, "real-value", 1) }

    /// Runs `source` as `name` with `host`; what it printed and how it ended.
    func run(_ source: String, name: String = "main.ecsh", host: any ScriptHost) async -> (out: String, outcome: Interpreter.Outcome) {
        await LargeStack.run {
            let sink = Captured()
            let outcome = Interpreter(output: sink, host: host).run(SourceFile(name: name, text: source))
            return (sink.out, outcome)
        }
    }

    @Test func theDefaultHostGivesNothing() async {
        let path = Self.realFile
        let (out, outcome) = await run("""
            try { read_file("\(path)") } catch e { print(e.code, e.message) }
            print(env("\(Self.realVariable)"), env("PATH", "none"))
            try { must_env("HOME") } catch e { print(e.code, e.message) }
            """, host: MemoryHost())
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == """
            IOError read_file(): cannot read \(path): this script may read no files
            nil none
            EnvError environment variable HOME is not set

            """)
        // The interpreter's own default is the same empty sandbox.
        let sink = Captured()
        _ = Interpreter(output: sink).run(SourceFile(name: "-e", text: "print(env(\"\(Self.realVariable)\"))"))
        #expect(sink.out == "nil\n")
    }

    @Test func anImportTheHostRefusesIsAnErrorAtTheImport() async throws {
        let dir = (Self.realFile as NSString).deletingLastPathComponent
        let lib = (dir as NSString).appendingPathComponent("ecsh-host-lib-\(UUID().uuidString).ecsh")
        try "let x = 1\n".write(toFile: lib, atomically: true, encoding: .utf8)
        let main = (dir as NSString).appendingPathComponent("main.ecsh")
        let name = (lib as NSString).lastPathComponent
        let (_, outcome) = await run("print(1)\nimport \"\(name)\" as l\n", name: main, host: MemoryHost())
        guard case .rejected(let ds) = outcome else { Issue.record("expected a rejection, got \(outcome)"); return }
        #expect(ds.count == 1)
        let lines = ds[0].description.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(main):2:1: error: cannot import \"\(name)\": this script may read no files (\(lib))")
        #expect(lines.count == 3, "the message, the line and a caret; no stack: \(lines)")
        #expect(ds[0].range?.description == "\(main):2:1")
        // `check` goes through the same host.
        let checked = Interpreter().check(SourceFile(name: main, text: "import \"\(name)\" as l\n"))
        #expect(checked.map(\.message) == ["cannot import \"\(name)\": this script may read no files (\(lib))"])
    }

    @Test func filesAndModulesServedFromMemory() async {
        let host = MemoryHost(files: [
            "app/data/names.txt": "ann\nbob\n",
            "app/lib/util.ecsh": "import \"../shared.ecsh\" as s\nfn shout(x) { return s.prefix + x.upper() }\n",
            "app/shared.ecsh": "let prefix = \"> \"\n",
            "app/broken.ecsh": "fn boom() {\n  return 1 / 0\n}\n",
        ])
        let (out, outcome) = await run("""
            import "lib/util.ecsh" as u
            print(read_file("app/data/names.txt").split("\\n")[1])
            print(u.shout("hi"))
            try { read_file("/etc/passwd") } catch e { print(e.message) }
            """, name: "app/main.ecsh", host: host)
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == "bob\n> HI\nread_file(): cannot read /etc/passwd: no such file\n")

        // A run-time error in a served module names the module's file, line and column.
        let (_, failed) = await run("import \"broken.ecsh\" as b\nb.boom()\n", name: "app/main.ecsh", host: host)
        guard case .failed(let d) = failed else { Issue.record("expected a failure, got \(failed)"); return }
        #expect(d.range?.description == "app/broken.ecsh:2:10")
        #expect(d.message == "division by zero")
    }

    @Test func aFixedEnvironment() async {
        let (out, outcome) = await run("""
            print(env("STAGE"), must_env("REGION"), env("\(Self.realVariable)"), env("PATH"))
            """, host: MemoryHost(environment: ["STAGE": "test", "REGION": "eu-west-1"]))
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == "test eu-west-1 nil nil\n")
    }

    /// An embedder's own host: sees every request, refuses files in its own words.
    @Test func anEmbeddersHostSeesEveryRequest() async {
        final class Auditing: ScriptHost {
            let asked = Mutex<[String]>([])
            func readFile(_ path: String) throws(ScriptHostError) -> [UInt8] {
                asked.withLock { $0.append("file \(path)") }
                throw ScriptHostError(path: path, reason: "denied by policy")
            }
            func environmentVariable(_ name: String) -> String? {
                asked.withLock { $0.append("env \(name)") }
                return name == "USER" ? "sandbox" : nil
            }
            func module(_ path: String, importedFrom importer: String?) throws(ScriptHostError) -> ModuleSource {
                asked.withLock { $0.append("module \(path) from \(importer ?? "-")") }
                return ModuleSource(key: path, name: "virtual/\(path)", bytes: Array("let answer = 42\n".utf8))
            }
        }
        let host = Auditing()
        let (out, outcome) = await run("""
            import "m.ecsh" as m
            import "m.ecsh" as again
            print(m.answer, env("USER"))
            read_file("\(Self.realFile)")
            """, host: host)
        guard case .failed(let d) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(out == "42 sandbox\n")
        #expect(d.description.hasPrefix("main.ecsh:4:1: error: read_file(): cannot read \(Self.realFile): denied by policy\n"))
        // Imported twice, compiled once: the host is asked for each import, the module is shared.
        #expect(host.asked.withLock { $0 } == ["module m.ecsh from main.ecsh", "module m.ecsh from main.ecsh",
                                               "env USER", "file \(Self.realFile)"])
    }

    @Test func theSystemHostGivesTheRealOnes() async {
        let (out, outcome) = await run("""
            print(read_file("\(Self.realFile)").trim(), env("\(Self.realVariable)"))
            try { read_file("/nonexistent-ecsh/x") } catch e { print(e.message) }
            """, host: SystemHost())
        #expect(outcome.isFinished, "\(outcome)")
        #expect(out == "real contents real-value\nread_file(): cannot read /nonexistent-ecsh/x: no such file\n")
    }

    @Test func memoryHostPathsFold() {
        #expect(MemoryHost.normalized("a/./b/../c") == "a/c")
        #expect(MemoryHost.normalized("/x//y/../../z") == "/z")
        #expect(MemoryHost.normalized("../up/./f") == "../up/f")
    }
}
