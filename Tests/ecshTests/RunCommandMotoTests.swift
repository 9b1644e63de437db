import Foundation
import Testing
import Runtime

extension ProcessTests {

/// `ecsh run` against moto (started by scripts/test), signatures checked.
@Suite struct RunCommandMotoTests {
    typealias Moto = EndToEndTests.Moto

    struct Setup {
        let moto: Moto
        let cluster: String
        let dir: URL
        var network: String { "awsvpcConfiguration={subnets=[\(moto.subnet)],securityGroups=[\(moto.securityGroup)]}" }

        func run(_ args: [String]) throws -> Binary.Result {
            var env = moto.environment
            env["AWS_REGION"] = "us-east-1"
            return try Binary.run(["run", "--endpoint-url", moto.endpoint, "--cluster", cluster] + args, in: dir, environment: env)
        }

        /// DescribeTasks straight from moto, for what ECS holds.
        func describe(_ arns: [String]) async throws -> [ECSTask] {
            let client = AWSClient(region: "us-east-1", endpoints: [.ecs: try #require(URL(string: moto.endpoint))],
                                   credentials: StaticCredentials(AWSCredentials(accessKeyID: moto.keyID, secretAccessKey: moto.secret)),
                                   transport: AsyncHTTPTransport())
            let request = try JSONSerialization.data(withJSONObject: ["cluster": cluster, "tasks": arns])
            let answer = try await client.call(.ecs, "DescribeTasks", body: Array(request))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(DescribeTasksResponse.self, from: Data(answer)).tasks ?? []
        }
    }

    func setup() async throws -> Setup {
        let moto = try Moto()
        let cluster = try await moto.createCluster()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-run-moto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let td = #"""
            {"family": "run-\#(cluster)", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
             "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128, "essential": true},
                                      {"name": "sidecar", "image": "busybox", "memory": 64, "essential": false}]}
            """#
        try td.write(to: dir.appendingPathComponent("taskdef.json"), atomically: true, encoding: .utf8)
        try "region: us-east-1\ncluster: \(cluster)\ntask_definition: taskdef.json\n"
            .write(to: dir.appendingPathComponent("ecspresso.yml"), atomically: true, encoding: .utf8)
        return Setup(moto: moto, cluster: cluster, dir: dir)
    }

    @Test func withoutWaitItRegistersRunsAndPrintsTheARNs() async throws {
        let s = try await setup()
        let r = try s.run([
            "--count", "2", "--launch-type", "FARGATE", "--network-configuration", s.network,
            "--container-overrides", #"{"name":"app","command":["echo","hello"]}"#,
            "--started-by", "ecsh-run-test", "--group", "family:g1", "--tags", "team=db", "--platform-version", "LATEST",
            "--propagate-tags", "TASK_DEFINITION", "--enable-execute-command", "--client-token", "tok-\(s.cluster)",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let arns = r.stdout.split(separator: "\n").map(String.init)
        #expect(arns.count == 2)
        #expect(arns.allSatisfy { $0.hasPrefix("arn:aws:ecs:us-east-1:") && $0.contains("/\(s.cluster)/") })
        let tasks = try await s.describe(arns)
        #expect(tasks.count == 2)
        for t in tasks {
            #expect(t.taskDefinitionArn?.hasSuffix("task-definition/run-\(s.cluster):1") == true)
            #expect(t.startedBy == "ecsh-run-test")
            #expect(t.group == "family:g1")
            #expect(t.launchType == "FARGATE")
            #expect(t.overrides?.containerOverrides?.first?.command == ["echo", "hello"])
        }
    }

    @Test func waitFollowsEveryTaskAndReportsJSON() async throws {
        let s = try await setup()
        let r = try s.run(["--wait", "--count", "3", "--output", "json", "--launch-type", "FARGATE",
                           "--network-configuration", s.network, "--watch-container", "app", "--timeout", "2m"])
        #expect(r.status == 0, "\(r.stderr)")
        let events = try JSONEventLines.parse(r.stdout)
        let names = events.compactMap { $0["event"] as? String }
        #expect(names.filter { $0 == "launched" }.count == 3 && names.filter { $0 == "stopped" }.count == 3, "\(names)")
        #expect(names.contains("status"), "moto moves tasks through states: \(names)")
        #expect(Array(names.suffix(2)) == ["summary", "result"], "\(names)")
        let launchedIDs = Set(events.filter { $0["event"] as? String == "launched" }.compactMap { $0["taskId"] as? String })
        let stoppedIDs = Set(events.filter { $0["event"] as? String == "stopped" }.compactMap { $0["taskId"] as? String })
        #expect(launchedIDs.count == 3 && launchedIDs == stoppedIDs)
        #expect(events.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
        let summary = try #require(events.first { $0["event"] as? String == "summary" })
        #expect(summary["end"] as? String == "reached" && summary["tasks"] as? Int == 3 && summary["ok"] as? Int == 3)
        let doc = try #require(events.last)
        let tasks = try #require(doc["tasks"] as? [[String: Any]])
        #expect(tasks.count == 3, "every task of the count is followed")
        #expect(tasks.allSatisfy { $0["lastStatus"] as? String == "STOPPED" && $0["exitCode"] as? Int == 0 && $0["ok"] as? Bool == true })
        #expect(doc["exitCode"] as? Int == 0)
    }

    @Test func waitInTextPrintsALineATask() async throws {
        let s = try await setup()
        let r = try s.run(["--wait", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\n").last)
        #expect(line.hasPrefix("task ") && line.hasSuffix(" STOPPED exit 0"), "\(r.stdout)")
        // Not on a terminal: stderr has the launch and the stop (moto answers RunTask with RUNNING).
        let id = try #require(line.split(separator: " ").dropFirst().first)
        let progress = r.stderr.split(separator: "\n").map(String.init)
        let launched = "launched: arn:aws:ecs:us-east-1:123456789012:task/\(s.cluster)/\(id)"
        #expect(progress.filter { $0.hasPrefix("ecsh: task ") } == [launched, "STOPPED exit 0"].map { "ecsh: task \(id) \($0)" }, "\(r.stderr)")
        #expect(progress.last?.hasPrefix("ecsh: 1 task(s) stopped in ") == true, "\(r.stderr)")

        // --progress verbose: a line for each state moto moved the task through.
        let v = try s.run(["--progress", "verbose", "--wait", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(v.status == 0, "\(v.stderr)")
        let vid = try #require(v.stdout.split(separator: "\n").last?.split(separator: " ").dropFirst().first)
        let expected = ["launched: arn:aws:ecs:us-east-1:123456789012:task/\(s.cluster)/\(vid)", "DEACTIVATING", "STOPPING",
                        "DEPROVISIONING", "STOPPED exit 0"].map { "ecsh: task \(vid) \($0)" }
        #expect(v.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ecsh: task ") } == expected, "\(v.stderr)")
    }

    @Test func waitUntilRunningReturnsOnceRunning() async throws {
        let s = try await setup()
        let r = try s.run(["--wait", "--wait-until", "running", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("task ") && r.stdout.contains(" RUNNING"), "\(r.stdout)")
    }

    @Test func revisionLatestAndSkipRunWhatIsRegistered() async throws {
        let s = try await setup()
        let net = ["--launch-type", "FARGATE", "--network-configuration", s.network]
        // Two registrations: revisions 1 and 2.
        for _ in 0..<2 { #expect(try s.run(net).status == 0) }
        func revision(_ extra: [String]) async throws -> String? {
            let r = try s.run(net + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let arn = try #require(r.stdout.split(separator: "\n").first.map(String.init))
            return try await s.describe([arn]).first?.taskDefinitionArn.flatMap { $0.split(separator: ":").last.map(String.init) }
        }
        #expect(try await revision(["--revision", "1"]) == "1")
        #expect(try await revision(["--latest-task-definition"]) == "2")
        #expect(try await revision(["--skip-task-definition"]) == "2")
        #expect(try await revision(["--task-definition", "run-\(s.cluster):1"]) == "1")
        #expect(try await revision([]) == "3", "without those it registers")
    }

    @Test func errorsFromECSExitOne() async throws {
        let s = try await setup()
        let noRevision = try s.run(["--revision", "99", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(noRevision.status == 1)
        #expect(noRevision.stderr.contains("ClientException"), "\(noRevision.stderr)")
        var env = s.moto.environment
        env["AWS_REGION"] = "us-east-1"
        let noCluster = try Binary.run(["run", "--endpoint-url", s.moto.endpoint, "--cluster", "absent-\(s.cluster)",
                                        "--launch-type", "FARGATE", "--network-configuration", s.network], in: s.dir, environment: env)
        #expect(noCluster.status == 1)
        #expect(noCluster.stderr.contains("ClusterNotFoundException"), "\(noCluster.stderr)")
    }

    @Test func aTimeoutExitsOneAndShowsWhereTheTasksWere() async throws {
        let s = try await setup()
        // moto moves a task one state per DescribeTasks; the first poll is a second away.
        let r = try s.run(["--wait", "--timeout", "0.2", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stderr.contains("timed out after"), "\(r.stderr)")
        #expect(!r.stdout.contains("STOPPED"), "\(r.stdout)")
    }
}
}
