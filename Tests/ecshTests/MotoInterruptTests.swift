import Foundation
import Testing
import Runtime

extension ProcessTests {

/// Ctrl-C while ecsh waits on tasks in moto: every launched task is named with the command
/// that stops it, or, when asked, stopped.
@Suite struct MotoInterruptTests {
    typealias Setup = RunCommandMotoTests.Setup

    /// The ids of the `ecsh: task ID launched: ARN` lines.
    static func launched(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 4 && words[0] == "ecsh:" && words[1] == "task" && words[3] == "launched:" ? String(words[2]) : nil
        }
    }

    func start(_ s: Setup, _ args: [String]) throws -> RunningBinary {
        var env = s.moto.environment
        env["AWS_REGION"] = "us-east-1"
        // The first look comes after a minute: the tasks are still running when Ctrl-C comes.
        let options = ["--endpoint-url", s.moto.endpoint, "--cluster", s.cluster, "--poll-interval", "60s", "--progress", "lines"]
        // `ecsh run OPTIONS`, `ecsh OPTIONS script`.
        let command = args.first == "run" ? ["run"] + options + args.dropFirst() : options + args
        return try RunningBinary(command, in: s.dir, environment: env)
    }

    @Test func ctrlCDuringEcshRunWaitListsEveryTaskWithTheCommandToStopIt() async throws {
        let s = try await RunCommandMotoTests().setup()
        let p = try start(s, ["run", "--count", "3", "--wait", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(p.waitForStderr { Self.launched($0).count == 3 }, "\(p.stderr)")
        let status = p.interrupt()
        #expect(status == 130, "\(p.stderr)")
        let ids = Self.launched(p.stderr)
        #expect(ids.count == 3)
        #expect(p.stderr.contains("ecsh: 3 task(s) launched by ecsh were still running and go on; to stop them:\n"), "\(p.stderr)")
        for id in ids {
            #expect(p.stderr.contains("  aws ecs stop-task --cluster \(s.cluster) --task \(id)\n"), "\(p.stderr)")
        }
        // Nothing was stopped: moto still has them to be stopped.
        let arns = ids.map { "arn:aws:ecs:us-east-1:123456789012:task/\(s.cluster)/\($0)" }
        let tasks = try await s.describe(arns)
        #expect(tasks.count == 3 && tasks.allSatisfy { $0.desiredStatus == "RUNNING" }, "\(tasks.map(\.desiredStatus))")
    }

    @Test func stopOnInterruptStopsTheTasksAndSaysSo() async throws {
        let s = try await RunCommandMotoTests().setup()
        let p = try start(s, ["run", "--stop-on-interrupt", "--count", "2", "--wait", "--launch-type", "FARGATE",
                              "--network-configuration", s.network])
        #expect(p.waitForStderr { Self.launched($0).count == 2 }, "\(p.stderr)")
        #expect(p.interrupt() == 130, "\(p.stderr)")
        let ids = Self.launched(p.stderr)
        #expect(p.stderr.contains("ecsh: stopped 2 task(s) on Ctrl-C: "), "\(p.stderr)")
        #expect(!p.stderr.contains("aws ecs stop-task"), "nothing is left to stop: \(p.stderr)")
        let tasks = try await s.describe(ids.map { "arn:aws:ecs:us-east-1:123456789012:task/\(s.cluster)/\($0)" })
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.desiredStatus == "STOPPED" && $0.stoppedReason == "Interrupted (Ctrl-C) in ecsh" },
                "\(tasks.map { ($0.desiredStatus, $0.stoppedReason) })")
    }

    @Test func aScriptStopsOnlyTheTasksItAskedToStop() async throws {
        let s = try await RunCommandMotoTests().setup()
        let script = #"""
            config("ecspresso.yml")
            let net = {awsvpcConfiguration: {subnets: ["\#(s.moto.subnet)"], securityGroups: ["\#(s.moto.securityGroup)"]}}
            let keep = run(register("taskdef.json"), launchType: "FARGATE", networkConfiguration: net)
            run(taskdef("run-\#(s.cluster)"), launchType: "FARGATE", networkConfiguration: net, count: 2, wait: true, stopOnInterrupt: true)
            """#
        try script.write(to: s.dir.appendingPathComponent("play.ecsh"), atomically: true, encoding: .utf8)
        let p = try start(s, ["play.ecsh"])
        #expect(p.waitForStderr { Self.launched($0).count == 3 }, "\(p.stderr)")
        #expect(p.process.isRunning, "still waiting: \(p.stderr)")
        #expect(p.interrupt() == 130, "\(p.stderr)")
        let ids = Self.launched(p.stderr)
        let kept = try #require(ids.first)
        #expect(p.stderr.contains("ecsh: stopped 2 task(s) on Ctrl-C: \(ids[1]), \(ids[2])\n") ||
                p.stderr.contains("ecsh: stopped 2 task(s) on Ctrl-C: \(ids[2]), \(ids[1])\n"), "\(p.stderr)")
        #expect(p.stderr.contains("ecsh: 1 task(s) launched by ecsh were still running and go on; to stop them:\n  aws ecs stop-task --cluster \(s.cluster) --task \(kept)\n"), "\(p.stderr)")
    }
}
}
