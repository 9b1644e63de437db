import Foundation
import Lang
import Testing
@testable import Runtime

/// The local backend: real processes, real exit codes, logs, stop, limits.
@Suite struct LocalBackendTests {
    /// A session on a fresh local backend, and a marker every container inherits so the
    /// test can find its processes in /proc.
    func session(concurrency: Int = 16) -> (ECSSession, LocalBackend, SessionSink, String) {
        let marker = "ECSH_TEST_\(UUID().uuidString.prefix(8))"
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
        let backend = LocalBackend(environment: env, workingDirectory: NSTemporaryDirectory(), concurrency: concurrency)
        let sink = SessionSink()
        var options = SessionOptions(environment: env, workingDirectory: NSTemporaryDirectory())
        options.local = true
        return (makeSession(backend: backend, sink: sink, options: options), backend, sink, marker)
    }

    func definition(_ marker: String, command: String, sidecar: String? = nil, essentialSidecar: Bool = false) -> String {
        let side = sidecar.map { #", {name: "side", image: "busybox", memory: 64, essential: \#(essentialSidecar), stopTimeout: 1, command: ["sh", "-c", "\#($0)"]}"# } ?? ""
        return #"""
            register({family: "t", containerDefinitions: [
              {name: "app", image: "busybox", memory: 64, essential: true, stopTimeout: 1, command: ["sh", "-c", "\#(command)"],
               environment: [{name: "MARKER", value: "\#(marker)"}]}\#(side)]})
            """#
    }

    /// Processes whose environment carries the marker.
    static func processes(with marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return env.split(separator: 0).contains { $0.elementsEqual("MARKER=\(marker)".utf8) }
        }
    }

    @Test(arguments: [(0, true), (1, false), (3, false)])
    func exitCodesAreTheProcesses(_ code: Int, _ ok: Bool) async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let td = \#(definition(marker, command: "exit \(code)"))
            let t = wait(run(td), timeout: 20s)
            print(t.exitCode, t.ok, t.stopCode)
            """#, session: session, sink: sink)
        #expect(r.out == "\(code) \(ok) EssentialContainerExited\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func aKilledProcessReports128PlusTheSignal() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let t = wait(run(\#(definition(marker, command: "kill -9 $$"))), timeout: 20s)
            print(t.exitCode, t.ok)
            """#, session: session, sink: sink)
        #expect(r.out == "137 false\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func anEssentialExitStopsTheOthersAndANonEssentialOneDoesNot() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let a = wait(run(\#(definition(marker, command: "exit 4", sidecar: "sleep 30"))), timeout: 20s)
            print(a.exitCode, a.containers.map(fn(c) => "${c.name}=${c.exitCode}"))
            let b = wait(run(\#(definition(marker, command: "sleep 0.3; exit 0", sidecar: "exit 9"))), timeout: 20s)
            print(b.exitCode, b.ok, b.containers.map(fn(c) => "${c.name}=${c.exitCode}"))
            """#, session: session, sink: sink)
        #expect(r.out == "4 [\"app=4\", \"side=143\"]\n0 true [\"app=0\", \"side=9\"]\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func stopIsUserInitiated() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let t = run(\#(definition(marker, command: "sleep 30")))
            wait(t, until: "running", timeout: 20s)
            stop(t, "enough")
            let s = wait(t, timeout: 20s)
            print(s.stopCode, s.stoppedReason, s.exitCode, s.ok)
            """#, session: session, sink: sink)
        #expect(r.out == "UserInitiated enough 143 false\n", "\(r.error ?? "")")
        #expect(Self.processes(with: marker).isEmpty)
        await session.shutdown()
    }

    @Test func commandAndEnvironmentOverridesApply() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let td = \#(definition(marker, command: "echo default"))
            let t = wait(run(td, overrides: overrides(container: "app", command: ["sh", "-c", "echo \"$GREETING $MARKER\""],
                                                       env: {GREETING: "hi"})), timeout: 20s)
            print(logs(t))
            """#, session: session, sink: sink)
        #expect(r.out == "[\"hi \(marker)\"]\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func aCommandThatCannotStartFailsTheTaskToStart() async throws {
        let (session, _, sink, _) = session()
        let r = await runScript(#"""
            let td = register({family: "x", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["/nonexistent/program"]}]})
            let t = wait(run(td), timeout: 20s)
            print(t.stopCode, t.ok, t.stoppedReason.startsWith("CannotStartContainerError"))
            let none = wait(run(register({family: "y", containerDefinitions: [{name: "app", image: "nginx", memory: 64}]})), timeout: 20s)
            print(none.stopCode, none.stoppedReason.contains("no entryPoint or command"))
            """#, session: session, sink: sink)
        #expect(r.out == "TaskFailedToStart false true\nTaskFailedToStart true\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func aHundredTasksRunWithAConcurrencyLimit() async throws {
        let (session, backend, sink, marker) = session(concurrency: 8)
        #expect(backend.concurrency == 8)
        let r = await runScript(#"""
            let ts = run(\#(definition(marker, command: "sleep 0.05")), count: 100)
            let pending = describe(ts).filter(fn(t) => t.lastStatus == "PENDING")
            print(len(pending) >= 80)
            let done = wait(ts, timeout: 60s)
            print(len(done.filter(fn(t) => t.ok)))
            """#, session: session, sink: sink)
        #expect(r.out == "true\n100\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func aTimeoutLeavesTheTaskRunningUntilShutdown() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let t = run(\#(definition(marker, command: "sleep 30")))
            print(wait(t, until: "running", timeout: 20s).lastStatus)
            try { wait(t, timeout: 300ms) } catch e { print(e.code) }
            """#, session: session, sink: sink)
        #expect(r.out == "RUNNING\nWaitTimeout\n", "\(r.error ?? "")")
        #expect(!Self.processes(with: marker).isEmpty, "the task goes on after a timeout")
        await session.shutdown()
        #expect(Self.processes(with: marker).isEmpty, "shutdown leaves no process")
    }

    @Test func logsAreCompleteAndInOrder() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let t = wait(run(\#(definition(marker, command: "i=1; while [ $i -le 2000 ]; do echo line $i; [ $((i % 500)) = 0 ] && echo err $i >&2; i=$((i+1)); done"))), timeout: 30s)
            let lines = logs(t)
            print(len(lines), lines[0], lines[499], lines[500], lines[len(lines) - 1])
            """#, session: session, sink: sink)
        #expect(r.out == "2004 line 1 line 500 err 500 err 2000\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func registerKeepsRevisionsAndTaskdefFindsTheLatest() async throws {
        let (session, _, sink, _) = session()
        let r = await runScript(#"""
            let a = register({family: "web", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["true"]}]})
            let b = register({family: "web", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["true"]}]})
            print(a.revision, b.revision, taskdef("web").revision, taskdef("web", 1).arn)
            try { taskdef("web", 3) } catch e { print(e.code) }
            """#, session: session, sink: sink)
        #expect(r.out == "1 2 2 arn:aws:ecs:local:local:task-definition/web:1\nClientException\n", "\(r.error ?? "")")
    }

    @Test func linesBeforeDuringAndJustBeforeTheStopAreShownOnce() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let td = \#(definition(marker, command: "echo before; sleep 0.3; echo during; sleep 0.3; echo one; printf last"))
            let t = run(td, wait: true, logs: true, timeout: 20s)
            print("exit", t.exitCode)
            """#, session: session, sink: sink)
        #expect(r.out == "before\nduring\none\nlast\nexit 0\n", "\(r.error ?? "")")
        await session.shutdown()
    }

    @Test func logsAllShowsEveryContainerWithTaskAndContainer() async throws {
        let (session, _, sink, marker) = session()
        let r = await runScript(#"""
            let td = \#(definition(marker, command: "echo from-app; sleep 0.2", sidecar: "echo from-side"))
            let t = run(td, wait: true, logs: "all", timeout: 20s)
            print(t.id)
            try { run(td, wait: true, logs: "every") } catch e { print(e.code, e.message) }
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let lines = r.out.split(separator: "\n").map(String.init)
        let id = try #require(lines.dropLast().last)
        #expect(Set(lines.prefix(2)) == ["[\(id.prefix(8)) app] from-app", "[\(id.prefix(8)) side] from-side"], "\(r.out)")
        #expect(lines.last == #"ValueError run(): 'logs' must be true, false or "all", got "every""#)
        await session.shutdown()
    }
}
