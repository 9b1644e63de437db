import Foundation
import Testing

extension ProcessTests {

/// `ecsh run` through the binary: flags, usage errors and `--dry-run`, with no AWS at all.
@Suite struct RunCommandTests {
    /// No credentials anywhere, and an endpoint nothing listens on: a call that slipped
    /// through would fail, not reach AWS.
    static let offline: [String: String] = [
        "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_MAX_ATTEMPTS": "1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    ]

    static let fargate = #"""
        {"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
         "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128, "essential": true},
                                  {"name": "sidecar", "image": "busybox", "memory": 64, "essential": false}]}
        """#

    static let ec2 = #"""
        {"family": "batch", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128}]}
        """#

    func project(_ files: [String: String] = [:]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let all = ["fargate.json": Self.fargate, "ec2.json": Self.ec2].merging(files) { $1 }
        for (name, text) in all { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    func run(_ args: [String], in dir: URL) throws -> Binary.Result {
        try Binary.run(["run"] + args, in: dir, environment: Self.offline)
    }

    /// The JSON body after `dry-run: OPERATION ` in the output.
    func body(_ operation: String, in text: String) throws -> [String: Any] {
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("dry-run: \(operation) ") })
        let json = line.dropFirst("dry-run: \(operation) ".count)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    static let flags = [
        "--config", "--task-definition", "--task-def", "--revision", "--latest-task-definition", "--count",
        "--launch-type", "--network-configuration", "--cluster", "--capacity-provider-strategy", "--overrides",
        "--container-overrides", "--skip-task-definition", "--wait", "--no-wait", "--timeout", "--dry-run",
        "--overrides-file", "--watch-container", "--wait-until", "--client-token", "--tags", "--propagate-tags",
        "--platform-version", "--started-by", "--group", "--enable-execute-command", "--placement-constraints",
        "--placement-strategy", "--output", "--region", "--profile", "--endpoint-url", "--debug", "--ext-str",
    ]

    @Test func helpListsEveryFlagWithAnExplanation() throws {
        let r = try Binary.run(["run", "--help"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        for flag in Self.flags {
            let line = lines.first { l in
                l.trimmingCharacters(in: .whitespaces).hasPrefix("-")
                    && l.split(whereSeparator: { " ,/".contains($0) }).contains { $0 == flag }
            }
            let found = try #require(line, "\(flag) is not in ecsh run --help")
            // The explanation is on the flag's line or, when the flag is long, the next one.
            let next = lines.firstIndex(of: found).map { lines.indices.contains($0 + 1) ? lines[$0 + 1] : "" } ?? ""
            let words = (found + " " + next).split(separator: " ").filter { !$0.hasPrefix("-") && !$0.hasPrefix("<") }
            #expect(words.count >= 3, "\(flag) has no explanation: \(found)")
        }
        let top = try Binary.run(["--help"])
        #expect(top.stdout.contains("ecsh run"))
    }

    static let usageErrors: [([String], String)] = [
        (["--revision", "2", "--latest-task-definition"], "--revision and --latest-task-definition exclude each other"),
        (["--launch-type", "FARGATE", "--capacity-provider-strategy", #"[{"capacityProvider":"FARGATE_SPOT"}]"#],
         "--launch-type and --capacity-provider-strategy exclude each other"),
        (["--overrides", "{}", "--container-overrides", #"{"name":"app"}"#], "--overrides and --container-overrides exclude each other"),
        (["--overrides", "{}", "--overrides-file", "o.json"], "--overrides and --overrides-file exclude each other"),
        (["--overrides", "{nope"], "--overrides is not valid JSON"),
        (["--container-overrides", "[1,"], "--container-overrides is not valid JSON"),
        (["--capacity-provider-strategy", "FARGATE"], "--capacity-provider-strategy is not valid JSON"),
        (["--placement-strategy", "spread"], "--placement-strategy is not valid JSON"),
        (["--placement-constraints", "{"], "--placement-constraints is not valid JSON"),
        (["--network-configuration", #"{"awsvpcConfiguration": "#], "--network-configuration is not valid JSON"),
        (["--network-configuration", "awsvpcConfiguration={subnets=[a,b}"], "--network-configuration: expected ',' or ']'"),
        (["--overrides-file", "/nonexistent/o.json"], "--overrides-file: cannot read '/nonexistent/o.json'"),
        (["--launch-type", "LAMBDA"], "--launch-type must be EC2, FARGATE or EXTERNAL"),
        (["--count", "0"], "--count must be at least 1"),
        (["--count", "two"], "count"),
        (["--revision", "0"], "--revision must be 1 or more"),
        (["--tags", "team"], "--tags takes KEY=VALUE"),
        (["--propagate-tags", "ALL"], "--propagate-tags must be TASK_DEFINITION or NONE"),
        (["--timeout", "5m"], "--timeout applies only with --wait"),
        (["--wait-until", "running"], "--wait-until applies only with --wait"),
        (["--wait", "--wait-until", "started"], "--wait-until must be running or stopped"),
        (["--wait", "--timeout", "soon"], "--timeout must be a positive duration"),
        (["--task-definition", "app:3", "--revision", "4"], "already names revision 3"),
        (["--output", "yaml"], "output"),
        (["--no-such-flag"], "no-such-flag"),
    ]

    @Test(arguments: usageErrors)
    func usageErrorsExitTwoAndSendNothing(_ args: [String], _ message: String) throws {
        let dir = try project()
        let r = try run(["--dry-run", "--task-def", "fargate.json"] + args, in: dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stdout.contains("dry-run:"), "nothing is sent, not even as a dry run: \(r.stdout)")
    }

    static let refused: [([String], String)] = [
        (["--task-def", "fargate.json"], "FARGATE tasks need networkConfiguration"),
        (["--task-def", "ec2.json", "--launch-type", "FARGATE"], "FARGATE tasks need networkConfiguration"),
        (["--task-def", "fargate.json", "--network-configuration", "awsvpcConfiguration={subnets=[s]}",
          "--container-overrides", #"{"name":"ap","command":["x"]}"#], "overrides name container 'ap'"),
        (["--task-def", "ec2.json", "--overrides", #"{"containerOverrides":[{"name":"web"}]}"#], "overrides name container 'web'"),
        (["--task-def", "ec2.json", "--overrides", #"{"containerOverride":[]}"#], "unknown field 'containerOverride'"),
        (["--task-def", "ec2.json", "--watch-container", "nope"], "watch: 'nope' is not a container of batch"),
        (["--task-def", "ec2.json", "--propagate-tags", "SERVICE"], "'propagateTags' must be TASK_DEFINITION or NONE for RunTask"),
        (["--task-def", "ec2.json", "--tags", "aws:x=1"], "the aws: prefix is reserved"),
        (["--task-def", "ec2.json", "--count", "11", "--client-token", "t"], "'clientToken' works for count up to 10"),
        (["--task-def", "ec2.json", "--network-configuration", "awsvpcConfiguration={subnets=[s],assignPublicIP=ENABLED}"],
         "unknown field 'assignPublicIP' in networkConfiguration.awsvpcConfiguration (did you mean 'assignPublicIp'?)"),
        (["--task-def", "fargate.json", "--latest-task-definition", "--launch-type", "FARGATE"], "FARGATE tasks need networkConfiguration"),
    ]

    @Test(arguments: refused)
    func runsRefusedByTheChecksRegisterNothing(_ args: [String], _ message: String) throws {
        let dir = try project()
        let r = try run(["--dry-run"] + args, in: dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("run(): "), "a command line error does not name the built-in")
        #expect(!r.stdout.contains("dry-run:"), "\(r.stdout)")
    }

    @Test func dryRunPrintsTheDefinitionAndTheRequestAsSent() throws {
        let dir = try project()
        let r = try run([
            "--dry-run", "--task-def", "fargate.json", "--cluster", "prod", "--count", "2", "--launch-type", "FARGATE",
            "--network-configuration", "awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}",
            "--overrides", #"{"containerOverrides":[{"name":"app","command":["rake","db:migrate"]}],"cpu":"512"}"#,
            "--tags", "team=db,env=staging", "--tags", "owner=ops", "--propagate-tags", "TASK_DEFINITION",
            "--platform-version", "1.4.0", "--started-by", "ci", "--group", "migrations", "--enable-execute-command",
            "--client-token", "tok-1",
        ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let td = try body("RegisterTaskDefinition", in: r.stdout)
        #expect(td["family"] as? String == "app")
        #expect((td["containerDefinitions"] as? [[String: Any]])?.count == 2)
        let req = try body("RunTask", in: r.stdout)
        #expect(req["cluster"] as? String == "prod")
        #expect(req["count"] as? Int == 2)
        #expect(req["launchType"] as? String == "FARGATE")
        #expect(req["taskDefinition"] as? String == "app")
        let vpc = (req["networkConfiguration"] as? [String: Any])?["awsvpcConfiguration"] as? [String: Any]
        #expect(vpc?["subnets"] as? [String] == ["subnet-1", "subnet-2"])
        #expect(vpc?["securityGroups"] as? [String] == ["sg-1"])
        #expect(vpc?["assignPublicIp"] as? String == "ENABLED")
        let overrides = req["overrides"] as? [String: Any]
        #expect(overrides?["cpu"] as? String == "512")
        #expect((overrides?["containerOverrides"] as? [[String: Any]])?.first?["command"] as? [String] == ["rake", "db:migrate"])
        let tags = (req["tags"] as? [[String: String]]) ?? []
        #expect(tags == [["key": "team", "value": "db"], ["key": "env", "value": "staging"], ["key": "owner", "value": "ops"]])
        #expect(req["propagateTags"] as? String == "TASK_DEFINITION")
        #expect(req["platformVersion"] as? String == "1.4.0")
        #expect(req["startedBy"] as? String == "ci")
        #expect(req["group"] as? String == "migrations")
        #expect(req["enableExecuteCommand"] as? Bool == true)
        #expect(req["clientToken"] as? String == "tok-1")
        // Without --wait: the ARNs, one a line, after the requests.
        let arns = r.stdout.split(separator: "\n").filter { !$0.hasPrefix("dry-run: ") }
        #expect(arns.count == 2)
        #expect(arns.allSatisfy { $0.hasPrefix("dry-run:task/prod/") })
    }

    @Test func strategiesPlacementAndContainerOverrides() throws {
        let dir = try project()
        let r = try run([
            "--dry-run", "--task-def", "ec2.json",
            "--capacity-provider-strategy", #"{"capacityProvider":"spot","weight":2,"base":1}"#,
            "--placement-constraints", #"[{"type":"memberOf","expression":"attribute:ecs.instance-type =~ t3.*"}]"#,
            "--placement-strategy", #"[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}]"#,
            "--container-overrides", #"{"name":"app","command":["echo","hello"],"environment":[{"name":"A","value":"1"}]}"#,
            "--watch-container", "app",
        ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let req = try body("RunTask", in: r.stdout)
        #expect(req["launchType"] == nil)
        let cps = req["capacityProviderStrategy"] as? [[String: Any]]
        #expect(cps?.first?["capacityProvider"] as? String == "spot")
        #expect(cps?.first?["weight"] as? Int == 2)
        #expect(cps?.first?["base"] as? Int == 1)
        #expect((req["placementConstraints"] as? [[String: String]])?.first?["type"] == "memberOf")
        #expect((req["placementStrategy"] as? [[String: String]])?.map { $0["type"] ?? "" } == ["spread", "binpack"])
        let co = ((req["overrides"] as? [String: Any])?["containerOverrides"] as? [[String: Any]])?.first
        #expect(co?["command"] as? [String] == ["echo", "hello"])
        #expect((co?["environment"] as? [[String: String]])?.first?["value"] == "1")
        #expect(req["count"] as? Int == 1)
    }

    @Test func overridesFileAndJSONNetworkConfiguration() throws {
        let dir = try project(["o.json": #"{"containerOverrides":[{"name":"app","command":["from-file"]}]}"#])
        let r = try run([
            "--dry-run", "--task-def", "fargate.json", "--overrides-file", "o.json",
            "--network-configuration", #"{"awsvpcConfiguration":{"subnets":["s-9"]}}"#,
        ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let req = try body("RunTask", in: r.stdout)
        let co = ((req["overrides"] as? [String: Any])?["containerOverrides"] as? [[String: Any]])?.first
        #expect(co?["command"] as? [String] == ["from-file"])
        #expect(((req["networkConfiguration"] as? [String: Any])?["awsvpcConfiguration"] as? [String: Any])?["subnets"] as? [String] == ["s-9"])
    }

    @Test func theConfigGivesTheDefinitionTheClusterAndTheServiceDefaults() throws {
        let dir = try project([
            "ecspresso.yml": "region: us-east-1\ncluster: from-config\ntask_definition: fargate.json\nservice_definition: service.json\n",
            "service.json": #"{"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-cfg"]}}, "propagateTags": "SERVICE"}"#,
        ])
        let r = try run(["--dry-run"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        _ = try body("RegisterTaskDefinition", in: r.stdout)
        let req = try body("RunTask", in: r.stdout)
        #expect(req["cluster"] as? String == "from-config")
        #expect(req["launchType"] as? String == "FARGATE")
        #expect(req["propagateTags"] == nil, "a service's SERVICE does not apply to RunTask")
        // A flag wins over the service definition, as an argument does in run().
        let spot = try run(["--dry-run", "--cluster", "other", "--capacity-provider-strategy", #"[{"capacityProvider":"FARGATE_SPOT"}]"#], in: dir)
        let req2 = try body("RunTask", in: spot.stdout)
        #expect(req2["cluster"] as? String == "other")
        #expect(req2["launchType"] == nil)
        #expect((req2["capacityProviderStrategy"] as? [[String: Any]])?.first?["capacityProvider"] as? String == "FARGATE_SPOT")
        // --config names another file.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let other = try run(["--dry-run", "--config", "../ecspresso.yml"], in: dir.appendingPathComponent("sub"))
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try body("RunTask", in: other.stdout)["cluster"] as? String == "from-config")
    }

    @Test func noTaskDefinitionIsAUsageError() throws {
        let dir = try project()
        let r = try run(["--dry-run"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no task definition: give --task-definition"))
    }

    @Test func waitWithJSONOutputIsEventsEndingWithTheResult() throws {
        let dir = try project()
        let r = try run(["--dry-run", "--output", "json", "--wait", "--count", "2", "--task-def", "ec2.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("dry-run: RunTask "), "requests go to stderr when stdout is JSON")
        let events = try JSONEventLines.parse(r.stdout)
        #expect(events.map { $0["event"] as? String } == ["launched", "launched", "wait", "summary", "result"])
        let doc = try #require(events.last)
        #expect(doc["exitCode"] as? Int == 0)
        #expect(doc["waited"] as? Bool == true)
        #expect(doc["timedOut"] as? Bool == false)
        let tasks = try #require(doc["tasks"] as? [[String: Any]])
        #expect(tasks.count == 2)
        #expect(tasks.allSatisfy { $0["ok"] as? Bool == true && $0["dryRun"] as? Bool == true })
    }

    @Test func waitWithTextOutputIsALineATask() throws {
        let dir = try project()
        let r = try run(["--dry-run", "--wait", "--task-def", "ec2.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let last = try #require(r.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("task ") && last.hasSuffix(" DRY_RUN exit 0"), "\(r.stdout)")
        #expect(r.stderr.contains("started dry-run:task/"))
    }
}
}
