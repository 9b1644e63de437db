import Foundation
import Synchronization
import Testing
import TestSupport

extension ProcessTests {

/// `kill -9` at many points of a 30-task fan-out against moto (through the fault proxy,
/// which can hold a RunTask until ecsh is dead or lose its answer): afterwards `ecsh runs`,
/// `ecsh stop` and `ecsh attach` account for exactly the tasks moto holds.
@Suite struct RunJournalKillTests {
    static let playbook = """
        config()
        let td = register()
        let ts = run(td, count: 30)
        wait(ts, timeout: 10m)
        """

    /// Where ecsh dies.
    enum KillPoint: CustomStringConvertible {
        /// When RunTask number n arrives at the proxy, which passes it on to moto after ecsh is dead.
        case duringRunTask(Int)
        /// When RunTask number n arrives, which never reaches moto.
        case beforeRunTask(Int)
        /// RunTask number n reaches moto and its answer is lost; ecsh dies when the next RunTask
        /// or DescribeTasks arrives.
        case afterLostAnswer(Int)
        /// Once every task is reported launched.
        case afterLaunch
        /// This many milliseconds after the process started.
        case timed(Int)

        var description: String {
            switch self {
            case .duringRunTask(let n): return "during RunTask \(n)"
            case .beforeRunTask(let n): return "before RunTask \(n)"
            case .afterLostAnswer(let n): return "after the lost answer of RunTask \(n)"
            case .afterLaunch: return "after the launch"
            case .timed(let ms): return "\(ms) ms after start"
            }
        }
    }

    /// The process to kill, and what the proxy saw arrive.
    final class Target: Sendable {
        let pid = Mutex<Int32>(0)
        let arrivals = Mutex<[String: Int]>([:])
        let killed = Mutex(false)

        func kill() {
            let pid = self.pid.withLock { $0 }
            guard pid > 0 else { return }
            killed.withLock { $0 = true }
            _ = Foundation.kill(pid, SIGKILL)
        }

        func plan(_ point: KillPoint) -> FaultPlan {
            FaultPlan { call in
                let n = self.arrivals.withLock { a -> Int in
                    a[call.operation, default: 0] += 1
                    return a[call.operation] ?? 0
                }
                switch point {
                case .duringRunTask(let k) where call.operation == "RunTask" && n == k:
                    self.kill()
                    return .delay(.milliseconds(200))
                case .beforeRunTask(let k) where call.operation == "RunTask" && n == k:
                    self.kill()
                    return .refuse
                case .afterLostAnswer(let k) where call.operation == "RunTask" && n == k:
                    return .drop
                case .afterLostAnswer(let k) where n > (call.operation == "RunTask" ? k : 0)
                    && ["RunTask", "DescribeTasks"].contains(call.operation):
                    self.kill()
                    return .delay(.milliseconds(100))
                default:
                    return nil
                }
            }
        }
    }

    static func points() -> [KillPoint] {
        var rng = SeededGenerator(seed: 14)
        var out: [KillPoint] = []
        for n in 1...3 { out += [.duringRunTask(n), .beforeRunTask(n), .afterLostAnswer(n)] }
        out.append(.afterLaunch)
        // The rest at random instants, most of them while the script loads and launches.
        while out.count < 24 { out.append(.timed(Int.random(in: out.count % 2 == 0 ? 0...300 : 0...1500, using: &rng))) }
        return out
    }

    @Test func killNineAnywhereLosesNoTaskAndCountsNoneTwice() async throws {
        var recoveredSomewhere = 0
        var withTasks = 0
        for point in Self.points() {
            let (held, listed, recovered) = try await killAndAccount(point)
            if !held.isEmpty { withTasks += 1 }
            recoveredSomewhere += recovered
            print("kill point \(point): moto holds \(held.count), ecsh runs lists \(listed.count), \(recovered) found by startedBy only")
        }
        // The points did reach into the launch: tasks were left behind, some found only by ListTasks.
        #expect(withTasks >= 12, "kill points that left tasks: \(withTasks)")
        #expect(recoveredSomewhere > 0, "a batch whose answer was lost was found by its startedBy")
    }

    /// One kill; returns moto's tasks, the run's as `ecsh runs` lists them, and how many of
    /// those only ListTasks found.
    func killAndAccount(_ point: KillPoint) async throws -> (Set<String>, [String], Int) {
        let project = try await MotoProject(files: ["playbook.ecsh": Self.playbook])
        defer { project.remove() }
        let state = project.dir.appendingPathComponent("state").path
        let target = Target()
        let proxy = try FaultProxy(upstream: try #require(URL(string: project.moto.endpoint)), plan: target.plan(point))
        defer { proxy.stop() }
        let env = project.environment(["XDG_STATE_HOME": state, "AWS_MAX_ATTEMPTS": "3"])
        // No DescribeTasks for a minute: moto moves tasks on at each one, and they must still run.
        let p = try RunningBinary(["--endpoint-url", proxy.endpoint, "--progress", "lines", "--poll-interval", "60s", "playbook.ecsh"],
                                  in: project.dir, environment: env)
        target.pid.withLock { $0 = p.process.processIdentifier }
        switch point {
        case .timed(let ms):
            try await Task.sleep(for: .milliseconds(ms))
            target.kill()
        case .afterLaunch:
            #expect(p.waitForStderr { MotoInterruptTests.launched($0).count == 30 }, "\(p.stderr)")
            target.kill()
        default:
            break
        }
        // A point the run never reached: kill it at the end of its launch instead.
        let deadline = Date().addingTimeInterval(20)
        while p.process.isRunning, !target.killed.withLock({ $0 }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if !target.killed.withLock({ $0 }) { target.kill() }
        p.process.waitUntilExit()
        #expect(p.process.terminationReason == .uncaughtSignal, "\(point): ecsh was killed, not ended: \(p.stderr)")
        // Requests the proxy still holds reach moto now; wait until it has served every one.
        let served = Date().addingTimeInterval(10)
        while Date() < served {
            let arrived = target.arrivals.withLock { $0.values.reduce(0, +) }
            if proxy.log.count >= arrived { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let held = try await project.tasks()

        // `ecsh runs` straight to moto.
        let direct = ["--endpoint-url", project.moto.endpoint]
        let runs = try Binary.run(["runs", "--output", "json"] + direct, in: project.dir, environment: env)
        #expect(runs.status == 0, "\(point): \(runs.stderr)")
        let lines = try JSONEventLines.parse(runs.stdout)
        guard let run = lines.first else {
            #expect(held.isEmpty, "\(point): no run was journaled, yet moto holds \(held.count) task(s)")
            return (held, [], 0)
        }
        #expect(lines.count == 1, "\(point): one run: \(runs.stdout)")
        let id = try #require(run["id"] as? String)
        let listed = run["tasks"] as? [String] ?? []
        #expect(run["status"] as? String == "died", "\(point): \(run)")
        #expect(Set(listed) == held, "\(point): ecsh runs lists \(listed.count) task(s), moto holds \(held.count)")
        #expect(listed.count == Set(listed).count, "\(point): no task listed twice")
        #expect(Set(run["running"] as? [String] ?? []).isSubset(of: held))
        #expect((run["unaccounted"] as? [Any])?.isEmpty == true)

        // `ecsh stop` stops them all, and `ecsh attach` then finds the same tasks, none running.
        let stop = try Binary.run(["stop", id] + direct, in: project.dir, environment: env)
        #expect(stop.status == 0, "\(point): \(stop.stderr)")
        // (moto moves a task one state on at each DescribeTasks, so some may have stopped by now.)
        if !held.isEmpty {
            let after = try await RunCommandMotoTests.Setup(moto: project.moto, cluster: project.cluster, dir: project.dir)
                .describe(Array(held))
            #expect(after.count == held.count && after.allSatisfy { $0.lastStatus == "STOPPED" },
                    "\(point): every task stopped: \(after.map(\.lastStatus))")
        }
        let attach = try Binary.run(["attach", id, "--progress", "off"] + direct, in: project.dir, environment: env)
        #expect(attach.stderr.contains("ecsh: run \(id) (died): \(held.count) task(s), 0 running"), "\(point): \(attach.stderr)")
        let recovered = run["recovered"] as? [String] ?? []
        return (held, listed, recovered.count)
    }
}
}

/// A small deterministic generator (SplitMix64), so the random kill points are the same each run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
