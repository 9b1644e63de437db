import Foundation
import Runtime
import Testing
import TestSupport

extension ProcessTests {

/// `step(name, fn)` and `ecsh resume RUN` with the binary against moto.
@Suite struct ResumeTests {
    static let threeSteps = """
        config()
        let td = register()
        let a = step("prepare", fn() => run(td, startedBy: "prepare", wait: true))
        let b = step("migrate", fn() {
            let t = run(td, startedBy: "migrate", wait: true)
            if env("FIXED", "") != "1" { fail("the migration needs FIXED=1") }
            return t.ok
        })
        let c = step("finish", fn() => run(td, startedBy: "finish", wait: true))
        print(a.ok, type(a), b, c.ok)
        """

    func run(_ project: MotoProject, _ args: [String], _ extra: [String: String] = [:]) throws -> Binary.Result {
        try Binary.run(["--endpoint-url", project.moto.endpoint, "--progress", "off", "--poll-interval", "50ms"] + args,
                       in: project.dir, environment: project.environment(extra.merging(["XDG_STATE_HOME": state(project)]) { a, _ in a }))
    }

    func command(_ project: MotoProject, _ args: [String], _ extra: [String: String] = [:]) throws -> Binary.Result {
        try Binary.run(args + ["--endpoint-url", project.moto.endpoint], in: project.dir,
                       environment: project.environment(extra.merging(["XDG_STATE_HOME": state(project)]) { a, _ in a }))
    }

    func state(_ project: MotoProject) -> String { project.dir.appendingPathComponent("state").path }

    /// ListTasks by startedBy straight from moto.
    func count(_ project: MotoProject, startedBy: String) async throws -> Int {
        let client = AWSClientFactory.client(project)
        let answer = try await client.call(.ecs, "ListTasks", body: Array(#"{"cluster":"\#(project.cluster)","startedBy":"\#(startedBy)"}"#.utf8))
        let doc = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]
        return (doc?["taskArns"] as? [String] ?? []).count
    }

    @Test func aFailedSecondStepIsResumedWithoutLaunchingTheFirstAgain() async throws {
        let project = try await MotoProject(files: ["play.ecsh": Self.threeSteps])
        defer { project.remove() }
        let first = try run(project, ["play.ecsh"])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("the migration needs FIXED=1"), "\(first.stderr)")
        #expect(try await count(project, startedBy: "prepare") == 1)
        #expect(try await count(project, startedBy: "finish") == 0)

        let resumed = try command(project, ["resume", "last"], ["FIXED": "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("steps done: prepare"), "\(resumed.stderr)")
        // The recorded result of step 1 comes back; its Task is still a Task.
        #expect(resumed.stdout == "true Task true true\n", "\(resumed.stdout)")
        #expect(try await count(project, startedBy: "prepare") == 1, "step 1 was not launched again")
        #expect(try await count(project, startedBy: "migrate") == 2, "the failed step ran again")
        #expect(try await count(project, startedBy: "finish") == 1)

        let runs = try JSONEventLines.parse(try command(project, ["runs", "--output", "json"]).stdout)
        #expect(runs.map { $0["status"] as? String } == ["ok", "failed"], "\(runs)")
    }

    @Test func aStepCutShortTakesOverItsTasksInsteadOfLaunchingThemAgain() async throws {
        let script = """
            config()
            let td = register()
            let done = step("shards", fn() => wait(run(td, count: 3)).filter(fn(t) => t.ok))
            print(len(done))
            """
        let project = try await MotoProject(files: ["play.ecsh": script])
        defer { project.remove() }
        let env = project.environment(["XDG_STATE_HOME": state(project)])
        // A minute before the first look: the tasks still run when ecsh dies.
        let p = try RunningBinary(["--endpoint-url", project.moto.endpoint, "--progress", "lines", "--poll-interval", "60s", "play.ecsh"],
                                  in: project.dir, environment: env)
        #expect(p.waitForStderr { MotoInterruptTests.launched($0).count == 3 }, "\(p.stderr)")
        kill(p.process.processIdentifier, SIGKILL)
        p.process.waitUntilExit()
        let launched = try await project.tasks()
        #expect(launched.count == 3)

        let resumed = try command(project, ["resume", "last", "--poll-interval", "50ms", "--progress", "off"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("cut short: shards"), "\(resumed.stderr)")
        #expect(resumed.stdout == "3\n", "\(resumed.stdout)")
        #expect(try await project.tasks() == launched, "no task was launched again")
    }

    @Test func aChangedScriptIsRefusedUnlessForced() async throws {
        let project = try await MotoProject(files: ["play.ecsh": "config()\nstep(\"one\", fn() { run(register()) })\n"])
        defer { project.remove() }
        #expect(try run(project, ["play.ecsh"]).status == 0)
        try "config()\nstep(\"one\", fn() { run(register()) })\nprint(\"changed\")\n"
            .write(to: project.dir.appendingPathComponent("play.ecsh"), atomically: true, encoding: .utf8)
        let refused = try command(project, ["resume", "last"])
        #expect(refused.status == 1 && refused.stderr.contains("changed since run"), "\(refused.stderr)")
        let forced = try command(project, ["resume", "last", "--force"])
        #expect(forced.status == 0 && forced.stdout == "changed\n", "\(forced.stderr)")
        #expect(try await project.tasks().count == 1, "the finished step did not run again")
    }

    @Test func stepNamesMustBeUnique() async throws {
        let project = try await MotoProject(files: [
            "literal.ecsh": "step(\"a\", fn() { 1 })\n# step(\"a\") in a comment is no call\nstep(\"a\", fn() { 2 })\n",
            "computed.ecsh": "for i in 0..2 { step(\"s\" + str(i % 1), fn() { print(i) }) }\n",
        ])
        defer { project.remove() }
        let literal = try run(project, ["literal.ecsh"])
        #expect(literal.status == 1)
        #expect(literal.stderr.contains("literal.ecsh:3:1: error: step name 'a' is used twice (first at line 1)"), "\(literal.stderr)")
        let computed = try run(project, ["computed.ecsh"])
        #expect(computed.status == 1 && computed.stdout == "0\n", "\(computed.stdout)")
        #expect(computed.stderr.contains("a step named 's0' already ran in this run"), "\(computed.stderr)")
    }
}
}

/// A client for asking moto directly.
enum AWSClientFactory {
    static func client(_ project: ProcessTests.MotoProject) -> AWSClient {
        AWSClient(region: "us-east-1", endpoints: [.ecs: URL(string: project.moto.endpoint) ?? URL(fileURLWithPath: "/")],
                  credentials: StaticCredentials(AWSCredentials(accessKeyID: project.moto.keyID, secretAccessKey: project.moto.secret)),
                  transport: AsyncHTTPTransport())
    }
}
