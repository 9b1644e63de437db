import Foundation
import Lang
import Testing
@testable import Runtime

/// The files `config()` and `register()` read come from the script's host, both when the
/// script is checked and when it runs: a host that gives files from memory is a sandbox
/// for the ECS built-ins too.
@Suite struct HostFilesTests {
    static let definition = #"{"family": "from-memory", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 64}]}"#

    static let host = MemoryHost(files: [
        "/w/ecspresso.yml": "region: us-east-1\ncluster: memory-cluster\ntask_definition: td.json\n",
        "/w/td.json": definition,
        "/w/td.jsonnet": "{ family: 'j', containerDefinitions: [] }",
    ])

    func session(_ backend: FakeBackend, _ sink: SessionSink) -> ECSSession {
        makeSession(backend: backend, sink: sink,
                    options: SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: "/w"))
    }

    @Test func configAndRegisterReadTheHostsFiles() async throws {
        let backend = FakeBackend(), sink = SessionSink()
        let run = await runScript("let c = config()\nprint(c.cluster)\nregister()\nregister(\"td.json\")\n",
                                  session: session(backend, sink), sink: sink, host: Self.host)
        #expect(run.error == nil)
        #expect(run.out.contains("memory-cluster"))
        let families = backend.registeredDefinitions.map { d -> String? in
            guard case .object(let o) = d, case .string(let f)? = o["family"] else { return nil }
            return f
        }
        #expect(families == ["from-memory", "from-memory"])
    }

    /// On the machine's files a relative path may stay relative when the working directory
    /// is the process's own; a host's files are always found under the working directory.
    @Test func relativePathsJoinTheWorkingDirectoryEvenWhenItIsTheCurrentOne() async throws {
        let cwd = FileManager.default.currentDirectoryPath
        let host = MemoryHost(files: [
            cwd + "/ecspresso.yml": "region: us-east-1\ncluster: here\ntask_definition: td.json\n",
            cwd + "/td.json": Self.definition,
        ])
        let backend = FakeBackend(), sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink,
                                  options: SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: cwd))
        let run = await runScript("print(config().cluster)\nregister(\"td.json\")\n", session: session, sink: sink, host: host)
        #expect(run.error == nil)
        #expect(run.out.contains("here"))
        #expect(backend.registeredDefinitions.count == 1)
    }

    @Test func aFileOnlyTheMachineHasIsNotRead() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-hostfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("td.json").path
        try Self.definition.write(toFile: real, atomically: true, encoding: .utf8)

        // A literal path is read when the script is checked: refused before anything runs.
        let backend = FakeBackend(), sink = SessionSink()
        let checked = await runScript("print(\"started\")\nregister(\"\(real)\")\n", session: session(backend, sink), sink: sink,
                                      host: Self.host)
        guard case .rejected = checked.outcome else { Issue.record("expected a rejection, got \(checked.outcome)"); return }
        #expect(checked.error?.contains("\(real): no such file") == true)
        #expect(!checked.out.contains("started"))

        // A path known only when the script runs: refused by the call.
        let ran = await runScript("fn path() { return \"\(real)\" }\nregister(path())\n", session: session(backend, sink), sink: sink,
                                  host: Self.host)
        guard case .failed = ran.outcome else { Issue.record("expected a failure, got \(ran.outcome)"); return }
        #expect(ran.error?.contains("\(real): no such file") == true)
        #expect(backend.registeredDefinitions.isEmpty)

        // The machine's files, as the command line gives them, have it.
        let machine = await runScript("register(\"\(real)\")\n", session: session(backend, sink), sink: sink, host: SystemHost())
        #expect(machine.error == nil)
        #expect(backend.registeredDefinitions.count == 1)
    }

    @Test func jsonnetIsNotRunOnFilesFromElsewhere() async throws {
        let backend = FakeBackend(), sink = SessionSink()
        let run = await runScript("register(\"td.jsonnet\")\n", session: session(backend, sink), sink: sink, host: Self.host)
        #expect(run.error?.contains("cannot evaluate Jsonnet") == true)
        #expect(backend.registeredDefinitions.isEmpty)
    }

    @Test func aHostWithNoFilesFindsNoConfig() async throws {
        let backend = FakeBackend(), sink = SessionSink()
        let run = await runScript("config()\n", session: session(backend, sink), sink: sink, host: MemoryHost())
        #expect(run.error?.contains("ecspresso.yml: cannot read the file: this script may read no files") == true)
    }
}
