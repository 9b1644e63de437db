import Foundation
import Testing

extension ProcessTests {

/// `parallel(items, fn, limit:)` and `waitAny(tasks)` with the binary on `--local`, where
/// every task is a host process that logs when it starts and ends.
@Suite struct ParallelTests {
    /// The most intervals open at once, from `start NS` / `end NS` lines.
    static func peak(_ log: String) -> Int {
        let events = log.split(separator: "\n").compactMap { line -> (Int, Int)? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let t = Int(parts[1]) else { return nil }
            return (t, parts[0] == "start" ? 1 : -1)
        }.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        var open = 0, most = 0
        for (_, d) in events {
            open += d
            most = max(most, open)
        }
        return most
    }

    @Test func twentyItemsWithLimitFiveRunFiveTasksAtOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("tasks.log").path
        let script = #"""
            let td = register({family: "shard", containerDefinitions: [{name: "app", image: "busybox", memory: 64, essential: true,
                command: ["sh", "-c", "echo start $(date +%s%N) >> \#(log); sleep 0.4; echo end $(date +%s%N) >> \#(log); exit $SHARD"]}]})
            var inFlight = 0
            var most = 0
            let codes = parallel(range(20), fn(i) {
                inFlight += 1
                if inFlight > most { most = inFlight }
                let t = run(td, wait: true, overrides: overrides(container: "app", env: {SHARD: str(i % 2)}))
                inFlight -= 1
                return t.exitCode
            }, limit: 5)
            print(codes)
            print(most)
            """#
        try script.write(to: dir.appendingPathComponent("fan.ecsh"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["--local", "--progress", "off", "fan.ecsh"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Results in input order, each call's own.
        #expect(r.stdout == "[0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]\n5\n", "\(r.stdout)")
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        #expect(lines.split(separator: "\n").count == 40)
        #expect(Self.peak(lines) == 5, "the most tasks running at once: \(Self.peak(lines))\n\(lines)")
    }

    @Test func codeThatDoesNotWaitRunsInInputOrderAndErrorsComeAfterTheCallsInFlight() throws {
        let r = try Binary.run(["-e", #"""
            var out = []
            try {
                parallel(range(6), fn(i) {
                    out = out + [i]
                    if i == 2 { fail("item two") }
                    return i
                }, limit: 3)
            } catch e {
                print(e.code, e.results, len(e.errors), e.errors[0].index)
            }
            print(out)
            try {
                parallel([1, 2, 3, 4], fn(i) { if i == 1 { fail("first") }; return i }, limit: 1, failFast: true)
            } catch e {
                print(e.results)
            }
            """#])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ParallelError [0, 1, nil, 3, 4, 5] 1 2\n[0, 1, 2, 3, 4, 5]\n[nil, nil, nil, nil]\n", "\(r.stdout)")
    }

    @Test func onMotoTwentyItemsRunFiveAtATime() async throws {
        let script = """
            config()
            let td = register()
            var inFlight = 0
            var most = 0
            let ok = parallel(range(20), fn(i) {
                inFlight += 1
                if inFlight > most { most = inFlight }
                let t = run(td, wait: true, startedBy: "tenant-" + str(i))
                inFlight -= 1
                return t.ok
            }, limit: 5)
            print(len(ok.filter(fn(x) => x)), most)
            """
        let project = try await MotoProject(files: ["fan.ecsh": script])
        defer { project.remove() }
        let r = try Binary.run(["--endpoint-url", project.moto.endpoint, "--progress", "off", "--poll-interval", "50ms", "fan.ecsh"],
                               in: project.dir, environment: project.environment(["XDG_STATE_HOME": project.dir.appendingPathComponent("state").path]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "20 5\n", "\(r.stdout)")
        #expect(try await project.tasks().count == 20)
    }

    @Test func waitAnyReturnsTheFirstTaskToStop() throws {
        let r = try Binary.run(["--local", "--progress", "off", "-e", #"""
            let td = register({family: "naps", containerDefinitions: [{name: "app", image: "busybox", memory: 64, essential: true, command: ["sh", "-c", "sleep $NAP"]}]})
            let ts = [3, 0, 2].map(fn(n) => run(td, overrides: overrides(container: "app", env: {NAP: str(n)})))
            let first = waitAny(ts)
            print(first.id == ts[1].id, first.lastStatus, first.exitCode)
            stop(ts)
            """#])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "true STOPPED 0\n", "\(r.stdout)")
    }
}
}
