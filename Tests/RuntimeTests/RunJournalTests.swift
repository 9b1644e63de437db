import Foundation
import Lang
import Testing
@testable import Runtime

/// The run journal as the launcher writes it: before and after every RunTask, each task's
/// end, the run's end; read back as ``RunSummary``; no secret in it.
@Suite struct RunJournalTests {
    func temporaryStore() -> RunStore {
        RunStore(directory: NSTemporaryDirectory() + "ecsh-runs-\(UUID().uuidString)")
    }

    func session(_ ecs: SimulatedECS, sink: SessionSink) throws -> ECSSession {
        try RuntimeTests.session(over: ecs, sink: sink)
    }

    @Test func aRunsIDIsItsUTCStartAndSixHexDigits() throws {
        // 2026-03-04 05:06:07 UTC: every field padded.
        let id = RunStore.newID(now: Date(timeIntervalSince1970: 1_772_600_767))
        #expect(id.hasPrefix("20260304-050607-"), "\(id)")
        let random = id.dropFirst("20260304-050607-".count)
        #expect(random.count == 6 && random.allSatisfy { "0123456789abcdef".contains($0) }, "\(id)")
        #expect(RunJournal.digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aFanOutIsJournaledBeforeAndAfterEachRunTaskWithoutItsSecrets() async throws {
        let ecs = SimulatedECS(throttleEvery: 1_000_000)
        let sink = SessionSink()
        let s = try session(ecs, sink: sink)
        let store = temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        var start = JournalEntry(.start)
        start.script = "/tmp/play.ecsh"
        start.arguments = ["tenant=a", Redaction.argument("DB_PASSWORD=hunter2"),
                           Redaction.argument(#"{"environment":[{"name":"API_TOKEN","value":"hunter2"}]}"#)]
        s.journal.enable(store: store, start: start)
        let r = await runScript(#"""
            let vars = [{name: "DB_PASSWORD", value: "hunter2"}]
            let ts = run("app:1", cluster: "c", count: 30, wait: true,
                         overrides: {containerOverrides: [{name: "app", environment: vars}]})
            print(len(ts))
            """#, session: s, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "30\n")
        s.journal.finish(status: 0)
        let id = try #require(store.ids().first)
        #expect(store.ids().count == 1)
        let text = try String(contentsOfFile: store.path(of: id), encoding: .utf8)
        #expect(!text.contains("hunter2"), "no secret in the journal")
        let entries = try store.entries(of: id)
        #expect(entries.first?.type == .start && entries.first?.run == id && entries.first?.pid == getpid())
        #expect(entries.last?.type == .end && entries.last?.status == 0)
        let launches = entries.filter { $0.type == .launch }
        let answers = entries.filter { $0.type == .launched }
        #expect(launches.count == 3 && answers.count == 3)
        #expect(Set(launches.compactMap(\.clientToken)) == Set(answers.compactMap(\.clientToken)))
        #expect(Set(launches.compactMap(\.parametersDigest)).count == 1, "one digest for one set of parameters")
        #expect(launches.allSatisfy { $0.startedBy == RunJournal.startedBy(run: id) })
        // Every launch line comes before its answer.
        for a in answers {
            let li = entries.firstIndex { $0.type == .launch && $0.clientToken == a.clientToken } ?? Int.max
            let ai = entries.firstIndex { $0 == a } ?? -1
            #expect(li < ai)
        }
        // What ECS was asked: every batch carried the run's startedBy.
        for launch in ecs.launches {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(launch.body)) as? [String: Any])
            #expect(body["startedBy"] as? String == RunJournal.startedBy(run: id))
        }
        let summary = RunSummary(id: id, entries: entries) { _ in true }
        #expect(summary.state == .ended(0))
        #expect(summary.tasks.count == 30 && summary.unanswered.isEmpty)
        #expect(summary.final.count == 30, "each task's end is journaled")
        #expect(summary.arguments == ["tenant=a", "DB_PASSWORD=****", #"{"environment":[{"name":"API_TOKEN","value":"****"}]}"#])
    }

    @Test func aStepsResultIsJournaledAndAResumeReturnsItWithoutRunningTheStep() async throws {
        let ecs = SimulatedECS(throttleEvery: 1_000_000)
        let store = temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let script = #"""
            let a = step("one", fn() => wait(run("app:1", cluster: "c")))
            print(type(a), a.ok)
            """#
        let sink = SessionSink()
        let s = try session(ecs, sink: sink)
        s.journal.enable(store: store, start: JournalEntry(.start))
        let r = await runScript(script, session: s, sink: sink)
        #expect(r.error == nil && r.out == "Task true\n", "\(r.error ?? r.out)")
        s.journal.finish(status: 0)
        let id = try #require(store.ids().first)
        let summary = RunSummary(id: id, entries: try store.entries(of: id)) { _ in false }
        guard case .ended(let result)? = summary.steps["one"] else {
            Issue.record("step one did not end: \(summary.steps)")
            return
        }
        #expect(result != nil, "the result was recorded")

        let sink2 = SessionSink()
        let again = try session(ecs, sink: sink2)
        again.steps.resume(from: ResumePlan(summary))
        let r2 = await runScript(script, session: again, sink: sink2)
        #expect(r2.error == nil && r2.out == "Task true\n", "\(r2.error ?? r2.out)")
        #expect(ecs.launches.count == 1, "the step did not run again")
    }

    @Test func aScriptsOwnStartedByIsKept() async throws {
        let ecs = SimulatedECS(throttleEvery: 1_000_000)
        let sink = SessionSink()
        let s = try session(ecs, sink: sink)
        let store = temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        s.journal.enable(store: store, start: JournalEntry(.start))
        let r = await runScript(#"run("app:1", cluster: "c", count: 2, startedBy: "nightly")"#, session: s, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let first = try #require(ecs.launches.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        #expect(body["startedBy"] as? String == "nightly")
    }

    @Test func aScriptThatLaunchesNothingLeavesNoJournal() async throws {
        let sink = SessionSink()
        let s = try session(SimulatedECS(throttleEvery: 1_000_000), sink: sink)
        let store = temporaryStore()
        s.journal.enable(store: store, start: JournalEntry(.start))
        _ = await runScript(#"print(1)"#, session: s, sink: sink)
        s.journal.finish(status: 0)
        #expect(store.ids().isEmpty)
    }

    @Test func aBatchWithoutAnswerStaysUnansweredAndATornLastLineIsSkipped() throws {
        var start = JournalEntry(.start)
        start.pid = 1
        var launch = JournalEntry(.launch)
        launch.clientToken = "t1"
        launch.cluster = "c"
        launch.count = 10
        launch.startedBy = RunJournal.startedBy(run: "r")
        let store = temporaryStore()
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let e = JSONEncoder()
        let lines = try [start, launch].map { String(decoding: try e.encode($0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n{\"type\":\"launched\",\"clientTo").write(toFile: store.path(of: "r"), atomically: true, encoding: .utf8)
        let summary = RunSummary(id: "r", entries: try store.entries(of: "r")) { _ in false }
        #expect(summary.state == .died)
        #expect(summary.unanswered.map(\.clientToken) == ["t1"] && summary.unanswered.first?.count == 10)
        #expect(summary.tasks.isEmpty)
    }

    @Test func oldJournalsArePruned() throws {
        var store = temporaryStore()
        store.retention = 3600
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        for id in ["old", "new"] { FileManager.default.createFile(atPath: store.path(of: id), contents: Data("{}\n".utf8)) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: store.path(of: "old"))
        store.prune()
        #expect(store.ids() == ["new"])
    }
}

@Suite struct StepResultTests {
    @Test func aTaskRecordComesBackAsATask() throws {
        var task = ECSTask(taskArn: "arn:aws:ecs:us-east-1:1:task/c/abc")
        task.lastStatus = "STOPPED"
        var container = Container(name: "app")
        container.exitCode = 0
        task.containers = [container]
        let record = TaskRecord.make(TrackedTask(cluster: "c", task: task, watch: "app", definition: nil))
        let text = try #require(StepResults.encode(.list([record, .string("x")])))
        let back = try StepResults.decode(text)
        guard case .list(let items) = back, case .record(let r)? = items.first else {
            Issue.record("not a list of a record: \(text)")
            return
        }
        #expect(r.typeName == "Task")
        #expect(r.fields["arn"].map { "\($0)" } == record.asRecordField("arn"))
        if case .bool(let ok)? = r.fields["ok"] { #expect(ok) } else { Issue.record("no ok: \(text)") }
    }
}

private extension Value {
    func asRecordField(_ name: String) -> String? {
        guard case .record(let r) = self else { return nil }
        return r.fields[name].map { "\($0)" }
    }
}
