import Foundation
import Lang
import Synchronization
import Testing
@testable import Runtime

/// ecspresso's plugins against moto (signature checking on): ssm, secretsmanager_arn and a
/// tfstate in s3://, read while loading a config and its definition files.
@Suite struct PluginMotoTests {
    struct Fixture {
        let moto: Moto
        let client: AWSClient
        let id: String
        let dir: URL
        let secretARN: String
        let bucket: String

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    /// Parameters, a secret and a state object in moto, and a project folder.
    func fixture(files: (String, String) -> [String: String]) async throws -> Fixture {
        let moto = try Moto()
        let client = moto.client()
        let id = UUID().uuidString.prefix(8).lowercased()
        for (name, type, value) in [("tag", "String", "v1.2.3"), ("db-password", "SecureString", "s3cr3t-\(id)"),
                                    ("subnets", "StringList", "subnet-1,subnet-2,subnet-3")] {
            let body = try JSONSerialization.data(withJSONObject: ["Name": "/ecsh/\(id)/\(name)", "Type": type, "Value": value])
            _ = try await client.call(.ssm, "PutParameter", body: Array(body))
        }
        let secret = try JSONSerialization.data(withJSONObject: ["Name": "ecsh/\(id)/db", "SecretString": "pw"])
        let created = try JSONSerialization.jsonObject(with: Data(try await client.call(.secretsmanager, "CreateSecret", body: Array(secret)))) as? [String: Any]
        let arn = try #require(created?["ARN"] as? String)

        let bucket = "ecsh-tfstate-\(id)"
        let state = try String(contentsOfFile: TFStateTests.fixtures + "/terraform.tfstate", encoding: .utf8)
        for (path, body) in [("/\(bucket)", [UInt8]()), ("/\(bucket)/envs/prod/terraform.tfstate", Array(state.utf8))] {
            let url = try #require(URL(string: moto.endpoint.absoluteString + path))
            _ = try await client.send(.s3, path.count > bucket.count + 1 ? "PutObject" : "CreateBucket", HTTPRequest(
                method: "PUT", url: url, headers: [(name: "x-amz-content-sha256", value: SigV4.payloadHash(body))], body: body))
        }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-plugins-\(id)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files(String(id), bucket) {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return Fixture(moto: moto, client: client, id: String(id), dir: dir, secretARN: arn, bucket: bucket)
    }

    static func config(bucket: String) -> String {
        """
        region: us-east-1
        cluster: default
        task_definition: taskdef.json
        service_definition: service.json
        plugins:
          - name: tfstate
            config:
              url: s3://\(bucket)/envs/prod/terraform.tfstate
          - name: tfstate
            config:
              path: local.tfstate
            func_prefix: local_
        """
    }

    static func taskdef(_ id: String) -> String {
        #"""
        {"family": "plugins-\#(id)", "containerDefinitions": [{
          "name": "app", "memory": 128,
          "image": "{{ tfstate `aws_ecr_repository.all['app'].repository_url` }}:{{ ssm `/ecsh/\#(id)/tag` }}",
          "environment": [
            {"name": "DB_PASSWORD", "value": "{{ ssm `/ecsh/\#(id)/db-password` }}"},
            {"name": "SECOND_SUBNET", "value": "{{ ssm `/ecsh/\#(id)/subnets` 1 }}"},
            {"name": "BUCKET", "value": "{{ local_tfstate `aws_s3_bucket.main.bucket` }}"}
          ],
          "secrets": [{"name": "DB", "valueFrom": "{{ secretsmanager_arn `ecsh/\#(id)/db` }}"}]
        }]}
        """#
    }

    static let service = #"""
        {"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {
          "subnets": ["{{ tfstatef `aws_subnet.private[%d].id` 0 }}", "{{ tfstate `output.private_subnet_ids[1]` }}"],
          "securityGroups": ["{{ tfstate `aws_security_group.app.id` }}"]}}}
        """#

    func session(_ f: Fixture, debug: DebugLog? = nil) -> (ECSSession, SessionSink) {
        var endpoints: [AWSService: URL] = [:]
        for s in AWSService.allCases { endpoints[s] = f.moto.endpoint }
        let client = AWSClient(region: "us-east-1", endpoints: endpoints, credentials: StaticCredentials(f.moto.keys),
                               transport: Moto.transport, debug: debug)
        let sink = SessionSink()
        let options = SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: f.dir.path)
        return (makeSession(backend: AWSBackend(caller: client), sink: sink, options: options), sink)
    }

    @Test func configAndDefinitionsResolveEveryPlugin() async throws {
        let local = try String(contentsOfFile: TFStateTests.fixtures + "/bucket.tfstate", encoding: .utf8)
        let f = try await fixture { id, bucket in
            ["ecspresso.yml": Self.config(bucket: bucket), "taskdef.json": Self.taskdef(id), "service.json": Self.service,
             "local.tfstate": local]
        }
        defer { f.remove() }
        let (session, _) = session(f)
        let defaults = try await session.loadConfig(f.dir.appendingPathComponent("ecspresso.yml").path)
        let network = try #require(defaults.parameters["networkConfiguration"]).text
        #expect(network == #"{"awsvpcConfiguration":{"subnets":["subnet-0a","subnet-0b"],"securityGroups":["sg-0app"]}}"#)

        let td = try await TaskDefinitions.load(file: "taskdef.json", session: session, files: SystemHost())
        let container = try #require(JSON.decode(try JSON.encode(td)).asMapPath("containerDefinitions", 0))
        #expect(try JSON.encode(try #require(container["image"])) == #""210987654321.dkr.ecr.us-east-1.amazonaws.com/app:v1.2.3""#)
        let env = try JSON.encode(try #require(container["environment"]))
        #expect(env.contains(#""value":"s3cr3t-\#(f.id)""#), "SecureString decrypted")
        #expect(env.contains(#""value":"subnet-2""#), "StringList index 1")
        #expect(env.contains(#""value":"ecsh-assets""#), "func_prefix local_")
        #expect(try JSON.encode(try #require(container["secrets"])).contains(f.secretARN))

        // Registered through the same client, moto holds the rendered definition.
        let registered = try await TaskDefinitions.register(td, session: session)
        #expect(registered.containerDefinitions?.first?.image == "210987654321.dkr.ecr.us-east-1.amazonaws.com/app:v1.2.3")
    }

    @Test func aMissingParameterIsAnErrorAtItsLineAndNothingIsRegistered() async throws {
        let f = try await fixture { id, bucket in
            ["ecspresso.yml": "region: us-east-1\ntask_definition: taskdef.json\n",
             "taskdef.json": "{\"family\": \"missing-\(id)\",\n \"containerDefinitions\": [{\"name\": \"app\",\n   \"image\": \"busybox:{{ ssm `/ecsh/\(id)/nope` }}\"}]}\n"]
        }
        defer { f.remove() }
        let (session, sink) = session(f)
        try await session.loadConfig(f.dir.appendingPathComponent("ecspresso.yml").path)
        let r = await runScript("register()", session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("taskdef.json:3:"), "\(error)")
        #expect(error.contains("error calling ssm: failed to lookup ssm parameter"), "\(error)")
        #expect(error.contains("ParameterNotFound"), "\(error)")
        let listed = try await f.client.call(.ecs, "ListTaskDefinitions", body: Array(#"{"familyPrefix":"missing-\#(f.id)"}"#.utf8))
        #expect(!String(decoding: listed, as: UTF8.self).contains("missing-\(f.id)"))
    }

    /// The checks before a script runs cannot know a service definition that looks values up
    /// in SSM: they leave the run unchecked rather than refuse it for want of a network.
    @Test func aServiceDefinitionFromSSMIsNotRefusedBeforeTheRun() async throws {
        let moto = try Moto()
        let f = try await fixture { id, _ in
            ["ecspresso.yml": "region: us-east-1\ncluster: CLUSTER\ntask_definition: taskdef.json\nservice_definition: service.json\n",
             "taskdef.json": #"{"family": "ssm-net-\#(id)", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128}]}"#,
             "service.json": #"{"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["{{ ssm `/ecsh/\#(id)/subnet` }}"], "securityGroups": ["\#(moto.securityGroup)"]}}}"#]
        }
        defer { f.remove() }
        let cluster = try await f.moto.cluster(f.client)
        let yml = f.dir.appendingPathComponent("ecspresso.yml")
        try String(contentsOf: yml, encoding: .utf8).replacingOccurrences(of: "CLUSTER", with: cluster).write(to: yml, atomically: true, encoding: .utf8)
        let put = try JSONSerialization.data(withJSONObject: ["Name": "/ecsh/\(f.id)/subnet", "Type": "String", "Value": moto.subnet])
        _ = try await f.client.call(.ssm, "PutParameter", body: Array(put))
        let (session, sink) = session(f)
        let r = await runScript("""
            config("ecspresso.yml")
            let t = run(register())
            print(t.lastStatus != nil)
            """, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "true\n")
    }

    @Test func debugNeverShowsDecryptedParametersOrStateObjects() async throws {
        let f = try await fixture { id, bucket in
            ["ecspresso.yml": Self.config(bucket: bucket).replacingOccurrences(of: "service_definition: service.json\n", with: ""),
             "taskdef.json": Self.taskdef(id), "local.tfstate": (try? String(contentsOfFile: TFStateTests.fixtures + "/bucket.tfstate", encoding: .utf8)) ?? ""]
        }
        defer { f.remove() }
        let log = Mutex("")
        let (session, _) = session(f, debug: DebugLog { text in log.withLock { $0 += text + "\n" } })
        try await session.loadConfig(f.dir.appendingPathComponent("ecspresso.yml").path)
        _ = try await TaskDefinitions.load(file: "taskdef.json", session: session, files: SystemHost())
        let text = log.withLock { $0 }
        #expect(text.contains("ssm GetParameter"))
        #expect(text.contains("s3 GetObject"))
        #expect(!text.contains("s3cr3t-\(f.id)"))
        #expect(!text.contains("210987654321.dkr.ecr"), "the state object's body is not shown")
    }

    /// A SecureString under a name no rule masks: masked by its value wherever a body is
    /// printed (`--debug` here; dry-run output and journals print through the same masking).
    @Test func aDecryptedParameterIsMaskedWhateverItsVariableIsCalled() async throws {
        let f = try await fixture { id, bucket in
            ["ecspresso.yml": Self.config(bucket: bucket).replacingOccurrences(of: "service_definition: service.json\n", with: ""),
             "taskdef.json": Self.taskdef(id).replacingOccurrences(of: "DB_PASSWORD", with: "DATABASE_URL"),
             "local.tfstate": (try? String(contentsOfFile: TFStateTests.fixtures + "/bucket.tfstate", encoding: .utf8)) ?? ""]
        }
        defer { f.remove() }
        let log = Mutex("")
        let (session, _) = session(f, debug: DebugLog { text in log.withLock { $0 += text + "\n" } })
        try await session.loadConfig(f.dir.appendingPathComponent("ecspresso.yml").path)
        let td = try await TaskDefinitions.load(file: "taskdef.json", session: session, files: SystemHost())
        _ = try await TaskDefinitions.register(td, session: session)
        let text = log.withLock { $0 }
        #expect(text.contains("ecs RegisterTaskDefinition"))
        #expect(text.contains(#"{"name":"DATABASE_URL","value":"****"}"#), "\(text)")
        #expect(!text.contains("s3cr3t-\(f.id)"))
        // Plain String parameters are not secrets.
        #expect(text.contains("app:v1.2.3"))
    }
}

private extension Value {
    /// `self[key][index]` as a map's entries.
    func asMapPath(_ key: String, _ index: Int) -> [String: Value]? {
        guard case .map(let m) = self, case .list(let l)? = m.entries[key], index < l.count,
              case .map(let item) = l[index] else { return nil }
        return Dictionary(uniqueKeysWithValues: item.entries.map { ($0.key, $0.value) })
    }
}
