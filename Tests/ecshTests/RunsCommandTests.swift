import Foundation
import Testing
import TestSupport

extension ProcessTests {

/// `ecsh runs`, `ecsh stop RUN`, `ecsh attach RUN` and the end-of-run report, with the
/// binary against moto; tasks of earlier runs through `tasks(startedBy:)`.
@Suite struct RunsCommandTests {
    struct Setup {
        let project: MotoProject
        let state: String

        init(_ files: [String: String]) async throws {
            project = try await MotoProject(files: files)
            state = project.dir.appendingPathComponent("state").path
        }

        func run(_ args: [String]) throws -> Binary.Result {
            try Binary.run(["--endpoint-url", project.moto.endpoint, "--progress", "off"] + args, in: project.dir,
                           environment: project.environment(["XDG_STATE_HOME": state]))
        }

        /// `ecsh runs --output json`, one object a run.
        func runs() throws -> [[String: Any]] {
            let r = try Binary.run(["runs", "--output", "json", "--endpoint-url", project.moto.endpoint], in: project.dir,
                                   environment: project.environment(["XDG_STATE_HOME": state]))
            #expect(r.status == 0, "\(r.stderr)")
            return try JSONEventLines.parse(r.stdout)
        }
    }

    @Test func aScriptThatEndsWithTasksRunningListsThemAndTheRunStopsThem() async throws {
        let s = try await Setup(["play.ecsh": "config()\nlet ts = run(register(), count: 2)\nfor t in ts { print(t.arn) }\n"])
        defer { s.project.remove() }
        let r = try s.run(["play.ecsh"])
        #expect(r.status == 0, "\(r.stderr)")
        let arns = r.stdout.split(separator: "\n").map(String.init)
        #expect(arns.count == 2)
        #expect(r.stderr.contains("ecsh: 2 task(s) launched by ecsh were still running and go on; to stop them:\n"), "\(r.stderr)")
        let runs = try s.runs()
        let run = try #require(runs.first)
        let id = try #require(run["id"] as? String)
        #expect(runs.count == 1)
        #expect(r.stderr.contains("  or all of them: ecsh stop \(id)\n"), "\(r.stderr)")
        #expect(run["status"] as? String == "ok" && run["exitStatus"] as? Int == 0, "\(run)")
        #expect(run["tasks"] as? [String] == arns)
        #expect(Set(run["running"] as? [String] ?? []) == Set(arns))
        #expect((run["script"] as? String)?.hasSuffix("/play.ecsh") == true)

        let table = try Binary.run(["runs", "--endpoint-url", s.project.moto.endpoint], in: s.project.dir,
                                   environment: s.project.environment(["XDG_STATE_HOME": s.state]))
        #expect(table.stdout.contains(id) && table.stdout.contains(" ok ") && table.stdout.contains("play.ecsh"), "\(table.stdout)")

        let stop = try Binary.run(["stop", "last", "--endpoint-url", s.project.moto.endpoint], in: s.project.dir,
                                  environment: s.project.environment(["XDG_STATE_HOME": s.state]))
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stderr.contains("ecsh: stopped 2 task(s) of run \(id)"), "\(stop.stderr)")
        #expect((try s.runs().first?["running"] as? [String])?.isEmpty == true)
    }

    @Test func exitWithTasksRunningListsThemToo() async throws {
        let s = try await Setup(["play.ecsh": "config()\nrun(register())\nexit(3)\n"])
        defer { s.project.remove() }
        let r = try s.run(["play.ecsh"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("ecsh: 1 task(s) launched by ecsh were still running and go on; to stop them:\n"), "\(r.stderr)")
        #expect(r.stderr.contains("ecsh stop "), "\(r.stderr)")
        #expect(try s.runs().first?["status"] as? String == "failed")
    }

    @Test func attachFollowsARunsTasksUntilTheyStop() async throws {
        let s = try await Setup(["play.ecsh": "config()\nlet ts = run(register(), count: 2)\nfor t in ts { print(t.arn) }\n"])
        defer { s.project.remove() }
        let r = try s.run(["play.ecsh"])
        #expect(r.status == 0, "\(r.stderr)")
        let arns = r.stdout.split(separator: "\n").map(String.init)
        let id = try #require(try s.runs().first?["id"] as? String)
        // moto moves a task one state further at each DescribeTasks: attach sees them through to STOPPED.
        let attach = try Binary.run(["attach", id, "--endpoint-url", s.project.moto.endpoint, "--progress", "lines",
                                     "--poll-interval", "50ms", "--poll-max", "100ms"],
                                    in: s.project.dir, environment: s.project.environment(["XDG_STATE_HOME": s.state]))
        #expect(attach.stderr.contains("ecsh: run \(id) (ok): 2 task(s), 2 running"), "\(attach.stderr)")
        #expect(attach.status == 0, "moto's tasks end with exit code 0: \(attach.stderr)")
        let tasks = try await RunCommandMotoTests.Setup(moto: s.project.moto, cluster: s.project.cluster, dir: s.project.dir).describe(arns)
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.lastStatus == "STOPPED" }, "\(tasks.map(\.lastStatus))")
        // Attached again, nothing is left to follow.
        let again = try Binary.run(["attach", "last", "--endpoint-url", s.project.moto.endpoint, "--progress", "off"],
                                   in: s.project.dir, environment: s.project.environment(["XDG_STATE_HOME": s.state]))
        #expect(again.stderr.contains("2 task(s), 0 running") && again.status == 0, "\(again.stderr)")
    }

    @Test func tasksOfAnEarlierRunAreFoundByStartedByAndStopped() async throws {
        let s = try await Setup([
            "launch.ecsh": "config()\nlet td = register()\nrun(td, count: 3, startedBy: \"shard-x\")\nrun(td, startedBy: \"other\")\n",
            "find.ecsh": "config()\nlet ts = tasks(startedBy: \"shard-x\")\nprint(len(ts), len(tasks()))\nstop(ts)\nprint(len(tasks(startedBy: \"shard-x\")), len(tasks(startedBy: \"shard-x\", status: \"STOPPED\")), len(tasks(startedBy: \"other\")))\n",
        ])
        defer { s.project.remove() }
        let launch = try s.run(["launch.ecsh"])
        #expect(launch.status == 0, "\(launch.stderr)")
        let find = try s.run(["find.ecsh"])
        #expect(find.status == 0, "\(find.stderr)")
        // Found tasks are not this session's launches: tasks() stays empty, and the end
        // report does not claim them.
        #expect(find.stdout == "3 0\n0 3 1\n", "\(find.stdout) \(find.stderr)")
        #expect(!find.stderr.contains("still running"), "\(find.stderr)")
    }
}
}
