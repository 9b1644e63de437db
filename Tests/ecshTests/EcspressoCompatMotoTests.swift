import Foundation
import Runtime
import Testing

extension ProcessTests {

/// `ecsh run` over configs in the shapes of ecspresso v2's test suite (tests/ci, tests/run-*),
/// against moto with signature checking on: each runs what ecspresso would run.
@Suite struct EcspressoCompatMotoTests {
    typealias Moto = EndToEndTests.Moto

    struct Project {
        let moto: Moto
        let cluster: String
        let family: String
        let dir: URL

        var network: String {
            #"{"awsvpcConfiguration": {"subnets": ["\#(moto.subnet)"], "securityGroups": ["\#(moto.securityGroup)"]}}"#
        }

        func write(_ files: [String: String]) throws {
            for (name, text) in files {
                try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }

        /// `ecsh ARGS` in the project, signed with the moto user's keys.
        func ecsh(_ args: [String], environment extra: [String: String] = [:]) throws -> Binary.Result {
            try Binary.run(args, in: dir, environment: moto.environment.merging(extra) { $1 })
        }

        func client() throws -> AWSClient {
            let url = try #require(URL(string: moto.endpoint))
            var endpoints: [AWSService: URL] = [:]
            for s in AWSService.allCases { endpoints[s] = url }
            return AWSClient(region: "us-east-1", endpoints: endpoints,
                             credentials: StaticCredentials(AWSCredentials(accessKeyID: moto.keyID, secretAccessKey: moto.secret)),
                             transport: AsyncHTTPTransport())
        }

        func call(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
            let data = try JSONSerialization.data(withJSONObject: body)
            let answer = try await client().call(.ecs, operation, body: Array(data))
            return try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] ?? [:]
        }

        /// DescribeTasks straight from moto.
        func task(_ arn: String) async throws -> [String: Any] {
            let answer = try await call("DescribeTasks", ["cluster": cluster, "tasks": [arn]])
            return try #require((answer["tasks"] as? [[String: Any]])?.first)
        }

        func taskCount() async throws -> Int {
            ((try await call("ListTasks", ["cluster": cluster]))["taskArns"] as? [String] ?? []).count
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    static let taskdef = """
        {"family": "%FAMILY%", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
         "containerDefinitions": [{"name": "nginx", "image": "nginx:{{ env `NGINX_VERSION` `latest` }}", "memory": 128, "essential": true}]}
        """

    func project(config: (Project) -> String = { p in "region: us-east-1\ncluster: \(p.cluster)\ntask_definition: taskdef.json\nservice_definition: service.json\n" },
                 service: ((Project) -> String)? = nil) async throws -> Project {
        let moto = try Moto()
        let cluster = try await moto.createCluster()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-compat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Project(moto: moto, cluster: cluster, family: "compat-\(cluster)", dir: dir)
        try p.write([
            "ecspresso.yml": config(p),
            "taskdef.json": Self.taskdef.replacingOccurrences(of: "%FAMILY%", with: p.family),
            "service.json": service?(p) ?? #"{"launchType": "FARGATE", "networkConfiguration": \#(p.network)}"#,
        ])
        return p
    }

    func firstARN(_ r: Binary.Result) throws -> String {
        try #require(r.stdout.split(separator: "\n").first.map(String.init), "\(r.stderr)")
    }

    /// ecspresso's run test: --skip-task-definition with a service runs the service's task
    /// definition (:1 here), not the family's latest (:3).
    @Test func skipTaskDefinitionRunsTheServicesCurrentRevision() async throws {
        let p = try await project(config: { p in
            "region: us-east-1\ncluster: \(p.cluster)\nservice: web\ntask_definition: taskdef.json\nservice_definition: service.json\n"
        })
        defer { p.remove() }
        for _ in 0..<3 {
            _ = try await p.call("RegisterTaskDefinition", [
                "family": p.family, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "containerDefinitions": [["name": "nginx", "image": "nginx", "memory": 128, "essential": true]]])
        }
        _ = try await p.call("CreateService", [
            "cluster": p.cluster, "serviceName": "web", "taskDefinition": "\(p.family):1", "desiredCount": 0, "launchType": "FARGATE",
            "networkConfiguration": ["awsvpcConfiguration": ["subnets": [p.moto.subnet], "securityGroups": [p.moto.securityGroup]]]])
        let args = ["run", "--endpoint-url", p.moto.endpoint]
        func revision(_ extra: [String]) async throws -> String? {
            let r = try p.ecsh(args + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let td = try await p.task(try firstARN(r))["taskDefinitionArn"] as? String
            return td?.split(separator: ":").last.map(String.init)
        }
        #expect(try await revision(["--skip-task-definition"]) == "1")
        #expect(try await revision(["--revision", "2"]) == "2", "the family is the service's")
        #expect(try await revision(["--latest-task-definition"]) == "3")
    }

    /// --dry-run reads (DescribeServices) and sends nothing that writes.
    @Test func dryRunReadsTheServiceAndLaunchesNothing() async throws {
        let p = try await project(config: { p in
            "region: us-east-1\ncluster: \(p.cluster)\nservice: web\ntask_definition: taskdef.json\nservice_definition: service.json\n"
        })
        defer { p.remove() }
        _ = try await p.call("RegisterTaskDefinition", [
            "family": p.family, "containerDefinitions": [["name": "nginx", "image": "nginx", "memory": 128]]])
        _ = try await p.call("CreateService", ["cluster": p.cluster, "serviceName": "web", "taskDefinition": "\(p.family):1", "desiredCount": 0])
        let r = try p.ecsh(["--dry-run", "--endpoint-url", p.moto.endpoint, "run", "--skip-task-definition"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.stdout + r.stderr).contains("dry-run: RunTask"), "\(r.stdout)\(r.stderr)")
        #expect((r.stdout + r.stderr).contains("task-definition/\(p.family):1"), "\(r.stdout)\(r.stderr)")
        #expect(try await p.taskCount() == 0)
    }

    /// An IAM role in moto allowed `actions`, made with boto3 (IAM is not a service ecsh calls).
    func role(_ p: Project, allowing actions: [String]) throws -> String {
        let script = """
            import boto3, json, sys
            iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                               aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
            name = sys.argv[4]
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
            iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": json.loads(sys.argv[5]), "Resource": "*"}]}))
            print(arn)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let actionsJSON = String(decoding: try JSONSerialization.data(withJSONObject: actions), as: UTF8.self)
        process.arguments = ["python3", "-c", script, p.moto.endpoint, p.moto.keyID, p.moto.secret,
                             "role-\(UUID().uuidString.prefix(8))", actionsJSON]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let arn = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(process.terminationStatus == 0)
        return arn
    }

    /// --assume-role-arn (ECSPRESSO_ASSUME_ROLE_ARN): every call is made as the role, so
    /// what the role may not do is refused even though the user may.
    @Test func assumeRoleMakesTheCallsAsTheRole() async throws {
        let p = try await project()
        defer { p.remove() }
        let deployer = try role(p, allowing: ["ecs:*"])
        let r = try p.ecsh(["--assume-role-arn", deployer, "--endpoint-url", p.moto.endpoint, "run"])
        #expect(r.status == 0, "\(r.stderr)")
        let reader = try role(p, allowing: ["ecs:Describe*", "ecs:List*"])
        let refused = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint], environment: ["ECSPRESSO_ASSUME_ROLE_ARN": reader])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not authorized to perform: ecs:RegisterTaskDefinition"), "\(refused.stderr)")
        #expect(try await p.taskCount() == 1)
    }

    /// ecspresso's AWS config is loaded WithRegion(config.region): AWS_REGION does not win.
    @Test func theConfigsRegionWinsOverAWSRegion() async throws {
        let p = try await project()
        defer { p.remove() }
        let r = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint], environment: ["AWS_REGION": "eu-west-1"])
        #expect(r.status == 0, "the cluster is in us-east-1, the config's region: \(r.stderr)")
        #expect(try await p.taskCount() == 1)
        // The flag still wins over the config.
        let flagged = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint, "--region", "eu-west-1"])
        #expect(flagged.status == 1)
        #expect(flagged.stderr.contains("ClusterNotFound"), "\(flagged.stderr)")
    }

    /// RunTask from a service definition as ecspresso's run builds it (run.go): EBS volumes
    /// configured at launch, placement, enableECSManagedTags; no propagateTags.
    @Test func runTaskCarriesWhatEcspressoCopiesFromTheService() async throws {
        let p = try await project(service: { p in
            """
            {"launchType": "FARGATE", "networkConfiguration": \(p.network), "propagateTags": "SERVICE",
             "enableECSManagedTags": true, "enableExecuteCommand": true, "platformVersion": "1.4.0",
             "placementConstraints": [{"type": "distinctInstance"}],
             "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
             "volumeConfigurations": [{"name": "data", "managedEBSVolume": {
               "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole", "sizeInGiB": 20, "volumeType": "gp3",
               "filesystemType": "ext4", "tagSpecifications": [
                 {"resourceType": "volume", "propagateTags": "SERVICE"},
                 {"resourceType": "volume", "tags": [{"key": "team", "value": "db"}], "propagateTags": "TASK_DEFINITION"}]}}]}
            """
        })
        defer { p.remove() }
        func runTaskBody(_ extra: [String]) throws -> [String: Any] {
            let r = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint, "--debug"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let start = try #require(lines.firstIndex { $0.hasPrefix("--> ecs RunTask") })
            let body = try #require(lines[start...].first { $0.hasPrefix("{") })
            return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        }
        let body = try runTaskBody([])
        #expect(body["propagateTags"] == nil, "ecspresso sends only --propagate-tags")
        #expect(body["enableECSManagedTags"] as? Bool == true)
        #expect(body["enableExecuteCommand"] as? Bool == true)
        #expect(body["platformVersion"] as? String == "1.4.0")
        #expect((body["placementConstraints"] as? [[String: Any]])?.first?["type"] as? String == "distinctInstance")
        #expect((body["placementStrategy"] as? [[String: Any]])?.first?["field"] as? String == "attribute:ecs.availability-zone")
        let volume = try #require((body["volumeConfigurations"] as? [[String: Any]])?.first)
        #expect(volume["name"] as? String == "data")
        let ebs = try #require(volume["managedEBSVolume"] as? [String: Any])
        #expect(ebs["sizeInGiB"] as? Int == 20)
        #expect((ebs["terminationPolicy"] as? [String: Any])?["deleteOnTermination"] as? Bool == true)
        let specs = try #require(ebs["tagSpecifications"] as? [[String: Any]])
        #expect(specs.count == 1, "the SERVICE-propagating specification is dropped, as RunTask refuses it")
        #expect(specs.first?["propagateTags"] as? String == "TASK_DEFINITION")

        let kept = try runTaskBody(["--no-ebs-delete-on-termination"])
        let keptEBS = (kept["volumeConfigurations"] as? [[String: Any]])?.first?["managedEBSVolume"] as? [String: Any]
        #expect((keptEBS?["terminationPolicy"] as? [String: Any])?["deleteOnTermination"] as? Bool == false)
    }

    /// ecspresso's tests/ci/overrides.json: rendered, must_env enforced; Jsonnet too.
    @Test func overridesFilesAreRendered() async throws {
        let p = try await project()
        defer { p.remove() }
        try p.write([
            "overrides.json": """
                {
                    "containerOverrides": [
                        {
                            "name": "nginx",
                            "command": [
                                "nginx",
                                "{{ must_env `OPTION` }}"
                            ]
                        }
                    ]
                }
                """,
            "overrides.jsonnet": #"{containerOverrides: [{name: 'nginx', command: ['echo', std.extVar('word'), '{{ env `OPTION` `none` }}']}]}"#,
        ])
        let base = ["run", "--endpoint-url", p.moto.endpoint]
        let r = try p.ecsh(base + ["--overrides-file", "overrides.json"], environment: ["OPTION": "-V"])
        #expect(r.status == 0, "\(r.stderr)")
        let overrides = try await p.task(try firstARN(r))["overrides"] as? [String: Any]
        let command = (overrides?["containerOverrides"] as? [[String: Any]])?.first?["command"] as? [String]
        #expect(command == ["nginx", "-V"])

        let missing = try p.ecsh(base + ["--overrides-file", "overrides.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("overrides.json:7:"), "\(missing.stderr)")
        #expect(missing.stderr.contains("environment variable OPTION is not defined"), "\(missing.stderr)")
        #expect(try await p.taskCount() == 1, "nothing launched for the failed run")

        let jsonnet = try p.ecsh(base + ["--overrides", "file://overrides.jsonnet", "--ext-str", "word=hi"])
        #expect(jsonnet.status == 0, "\(jsonnet.stderr)")
        let jo = try await p.task(try firstARN(jsonnet))["overrides"] as? [String: Any]
        #expect((jo?["containerOverrides"] as? [[String: Any]])?.first?["command"] as? [String] == ["echo", "hi", "none"])
    }

    /// Global options before the subcommand, ECSPRESSO_CONFIG, --envfile (tests/ci/envfile),
    /// config discovery of ecspresso.jsonnet with --ext-code.
    @Test func optionsVariablesEnvfilesAndDiscovery() async throws {
        let p = try await project()
        defer { p.remove() }
        try p.write([
            "envfile": "SERVICE=\"nginx-local\"\nNGINX_VERSION=latest\n",
            "envfile.override": "export NGINX_VERSION=stable\n",
            "other.yml": "region: us-east-1\ncluster: \(p.cluster)\ntask_definition: taskdef.json\nservice_definition: service.json\n",
        ])
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("ecspresso.yml"))

        let before = try p.ecsh(["--config", "other.yml", "--endpoint-url", p.moto.endpoint, "--envfile", "envfile",
                                 "--envfile", "envfile.override", "run"])
        #expect(before.status == 0, "\(before.stderr)")
        let td = try await p.call("DescribeTaskDefinition", ["taskDefinition": p.family])
        #expect(((td["taskDefinition"] as? [String: Any])?["containerDefinitions"] as? [[String: Any]])?.first?["image"] as? String == "nginx:stable")

        let byVariable = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint], environment: ["ECSPRESSO_CONFIG": "other.yml"])
        #expect(byVariable.status == 0, "\(byVariable.stderr)")

        try p.write(["ecspresso.jsonnet": """
            {region: 'us-east-1', cluster: std.extVar('cluster'), task_definition: 'taskdef.json',
             service_definition: 'service.json', timeout: std.extVar('timeout')}
            """])
        let discovered = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint, "--ext-str", "cluster=\(p.cluster)",
                                     "--ext-code", "timeout=\"5m\""])
        #expect(discovered.status == 0, "\(discovered.stderr)")
        #expect(try await p.taskCount() == 3)

        // The same from ECSPRESSO_* variables; ECSPRESSO_DEBUG prints the calls, ECSPRESSO_TIMEOUT bounds --wait.
        let fromVariables = try p.ecsh(["run", "--endpoint-url", p.moto.endpoint, "--wait"], environment: [
            "ECSPRESSO_EXT_STR": "cluster=\(p.cluster)", "ECSPRESSO_EXT_CODE": "timeout=\"5m\"", "ECSPRESSO_DEBUG": "true",
            "ECSPRESSO_TIMEOUT": "0.2s"])
        #expect(fromVariables.status == 1, "moto's task does not stop within 0.2s: \(fromVariables.stderr)")
        #expect(fromVariables.stderr.contains("--> ecs RunTask"), "\(fromVariables.stderr)")
        #expect(fromVariables.stderr.contains("timed out after"), "\(fromVariables.stderr)")
        #expect(try await p.taskCount() == 4)
    }
}
}
