import Foundation
import Testing
import Runtime

extension ProcessTests {

/// The language contract's example playbook, run by the real binary against moto with
/// `--endpoint-url`, signatures checked.
@Suite struct EndToEndTests {
    struct Moto {
        let endpoint: String
        let keyID: String
        let secret: String
        let subnet: String
        let securityGroup: String

        init() throws {
            let env = ProcessInfo.processInfo.environment
            let why: Comment = "run the tests through scripts/test, which starts moto and sets ECSH_TEST_*"
            endpoint = try #require(env["ECSH_TEST_MOTO_ENDPOINT"], why)
            keyID = try #require(env["ECSH_TEST_AWS_ACCESS_KEY_ID"], why)
            secret = try #require(env["ECSH_TEST_AWS_SECRET_ACCESS_KEY"], why)
            subnet = try #require(env["ECSH_TEST_SUBNET"], why)
            securityGroup = try #require(env["ECSH_TEST_SECURITY_GROUP"], why)
        }

        var environment: [String: String] {
            ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_EC2_METADATA_DISABLED": "true",
             "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
             "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]
        }

        func createCluster() async throws -> String {
            let name = "e2e-\(UUID().uuidString.prefix(8).lowercased())"
            let url = try #require(URL(string: endpoint))
            let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url],
                                   credentials: StaticCredentials(AWSCredentials(accessKeyID: keyID, secretAccessKey: secret)),
                                   transport: AsyncHTTPTransport())
            _ = try await client.call(.ecs, "CreateCluster", body: Array(#"{"clusterName":"\#(name)"}"#.utf8))
            return name
        }
    }

    func project(cluster: String, moto: Moto) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = [
            "ecspresso.yml": "region: us-east-1\ncluster: \(cluster)\ntask_definition: taskdef.jsonnet\nservice_definition: service.json\ntimeout: 5m\n",
            "taskdef.jsonnet": """
                local app = import 'app.libsonnet';
                {family: std.extVar('family'), requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc',
                 cpu: '256', memory: '512', containerDefinitions: [app]}
                """,
            "app.libsonnet": #"{name: 'app', image: 'busybox:{{ must_env `TAG` }}', memory: 128, essential: true}"#,
            "service.json": """
                {"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration":
                  {"subnets": ["\(moto.subnet)"], "securityGroups": ["\(moto.securityGroup)"]}}}
                """,
            "playbook.ecsh": """
                config()                                   # ./ecspresso.yml
                let td = register()
                let m = wait(run(td, overrides: overrides(container: "app",
                                 command: ["bin/rails", "db:migrate"])), timeout: 20m)
                if not m.ok {
                  eprint("migration failed with ${m.exitCode}: ${m.stoppedReason}")
                  exit(m.exitCode)
                }
                let shards = wait(range(25).map(fn(i) => run(td, overrides: overrides(container: "app",
                                      command: ["bin/backfill", "--shard", str(i)]))))
                print("${len(shards.filter(fn(t) => t.ok))}/25 shards ok")
                let workers = run(td, count: 40, startedBy: "reindex")   # 40 identical tasks, 4 RunTask calls
                print(len(workers), len(tasks()), td.family, td.revision)
                """,
        ]
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func theLanguageExampleRunsAgainstMoto() async throws {
        let moto = try Moto()
        let cluster = try await moto.createCluster()
        let dir = try project(cluster: cluster, moto: moto)
        defer { try? FileManager.default.removeItem(at: dir) }
        // jsonnet reads the family from --ext-str; ecsh passes none, so the file names it through a template.
        let td = dir.appendingPathComponent("taskdef.jsonnet")
        try String(contentsOf: td, encoding: .utf8).replacingOccurrences(of: "std.extVar('family')", with: "'e2e-\(cluster)'")
            .write(to: td, atomically: true, encoding: .utf8)
        var env = moto.environment
        env["TAG"] = "1.36"
        env["XDG_STATE_HOME"] = dir.appendingPathComponent("state").path
        let r = try Binary.run(["--endpoint-url", moto.endpoint, "--progress", "off", "playbook.ecsh"], in: dir, environment: env)
        // The 40 workers it leaves running are listed, with the command that stops them all.
        #expect(r.stderr.hasPrefix("ecsh: 40 task(s) launched by ecsh were still running and go on; to stop them:\n"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("  aws ecs stop-task --cluster \(cluster) --task ") }.count == 40)
        let runs = RunStore(directory: dir.appendingPathComponent("state/ecsh/runs").path).ids()
        #expect(runs.count == 1)
        #expect(r.stderr.hasSuffix("  or all of them: ecsh stop \(runs.first ?? "?")\n"), "\(r.stderr)")
        #expect(r.stdout == "25/25 shards ok\n40 66 e2e-\(cluster) 1\n")
        #expect(r.status == 0)
    }

    @Test func debugShowsTrafficButNoSecret() async throws {
        let moto = try Moto()
        var env = moto.environment
        env["AWS_REGION"] = "us-east-1"
        let r = try Binary.run(["--debug", "--endpoint-url", moto.endpoint, "-e", #"try { taskdef("absent") } catch e { print(e.code) }"#],
                               environment: env)
        #expect(r.stdout == "ClientException\n")
        #expect(r.stderr.contains("X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition"))
        #expect(r.stderr.contains("<-- ecs DescribeTaskDefinition HTTP 400"))
        #expect(!r.stderr.contains(moto.secret))
        #expect(!r.stderr.contains("Signature=") || r.stderr.contains("Signature=****"))
        #expect(r.status == 0)
    }

    @Test func noCredentialsSaysWhereItLookedAndMentionsLocal() throws {
        let r = try Binary.run(["--region", "eu-west-1", "-e", #"taskdef("x")"#], environment: [
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("No AWS credentials found"))
        #expect(r.stderr.contains("/nonexistent/credentials"))
        #expect(r.stderr.contains("--local"))
    }
}
}
