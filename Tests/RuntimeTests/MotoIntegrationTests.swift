import Foundation
import Lang
import Testing
@testable import Runtime

/// The moto server scripts/test starts, with signature checking on.
struct Moto {
    let endpoint: URL
    let keys: AWSCredentials
    let subnet: String
    let securityGroup: String

    static let transport = AsyncHTTPTransport()

    init() throws {
        let env = ProcessInfo.processInfo.environment
        let missing = "run the tests through scripts/test, which starts moto and sets ECSH_TEST_*"
        endpoint = try #require(env["ECSH_TEST_MOTO_ENDPOINT"].flatMap(URL.init(string:)), Comment(rawValue: missing))
        keys = AWSCredentials(accessKeyID: try #require(env["ECSH_TEST_AWS_ACCESS_KEY_ID"], Comment(rawValue: missing)),
                              secretAccessKey: try #require(env["ECSH_TEST_AWS_SECRET_ACCESS_KEY"], Comment(rawValue: missing)),
                              source: "test")
        subnet = try #require(env["ECSH_TEST_SUBNET"], Comment(rawValue: missing))
        securityGroup = try #require(env["ECSH_TEST_SECURITY_GROUP"], Comment(rawValue: missing))
    }

    func client(credentials: AWSCredentials? = nil) -> AWSClient {
        var endpoints: [AWSService: URL] = [:]
        for s in AWSService.allCases { endpoints[s] = endpoint }
        return AWSClient(region: "us-east-1", endpoints: endpoints, credentials: StaticCredentials(credentials ?? keys),
                         transport: Self.transport)
    }

    /// A fresh cluster, so tests sharing the server do not see each other's tasks.
    func cluster(_ client: AWSClient) async throws -> String {
        let name = "c-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await client.call(.ecs, "CreateCluster", body: Array(#"{"clusterName":"\#(name)"}"#.utf8))
        return name
    }

    /// The script text of a FARGATE network configuration in moto's default VPC.
    var network: String {
        #"{awsvpcConfiguration: {subnets: ["\#(subnet)"], securityGroups: ["\#(securityGroup)"]}}"#
    }

    func taskDefinition(family: String, logGroup: String? = nil) -> String {
        let logs = logGroup.map { #", logConfiguration: {logDriver: "awslogs", options: {"awslogs-group": "\#($0)", "awslogs-stream-prefix": "ecs", "awslogs-region": "us-east-1"}}"# } ?? ""
        return #"""
            {family: "\#(family)", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512",
             containerDefinitions: [{name: "app", image: "busybox", memory: 128, essential: true\#(logs)},
                                    {name: "sidecar", image: "busybox", memory: 64, essential: false}]}
            """#
    }
}

@Suite struct MotoIntegrationTests {
    @Test func registerRunWaitWithOverridesSeenByDescribeTasks() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let caller = CountingCaller(client)
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: caller), sink: sink)
        let r = await runScript(#"""
            let td = register(\#(moto.taskDefinition(family: "migrate-\(cluster)")))
            print(td.family, td.revision, td.containers)
            let t = run(td, cluster: "\#(cluster)", launchType: "FARGATE", networkConfiguration: \#(moto.network),
                        overrides: overrides(container: "app", command: ["bin/migrate", "--step", "2"], env: {STAGE: "test"}),
                        startedBy: "ecsh-test", tags: {team: "db"})
            print(t.lastStatus)
            let done = wait(t, timeout: 30s)
            print(done.lastStatus, done.ok, done.exitCode, done.id == t.id)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "migrate-\(cluster) 1 [\"app\", \"sidecar\"]")
        #expect(lines.dropFirst().first == "RUNNING")
        #expect(lines.last == "STOPPED true 0 true")
        #expect(caller.count("RunTask") == 1)
        #expect(caller.count("DescribeTasks") >= 4, "moto moves a task one state per DescribeTasks")

        // What ECS holds is what the script asked for.
        let run = try #require(caller.requests("RunTask").first)
        let token = try #require(run["clientToken"] as? String)
        #expect(!token.isEmpty && token.count <= 64)
        let arn = try #require(session.registry.all.first?.arn)
        let described = try await client.call(.ecs, "DescribeTasks",
                                              DescribeTasksRequest(cluster: cluster, tasks: [arn]), as: DescribeTasksResponse.self)
        let task = try #require(described.tasks?.first)
        let override = try #require(task.overrides?.containerOverrides?.first)
        #expect(override.name == "app")
        #expect(override.command == ["bin/migrate", "--step", "2"])
        #expect(override.environment == [KeyValuePair(name: "STAGE", value: "test")])
        #expect(task.startedBy == "ecsh-test")
    }

    @Test func countOf25MakesThreeRunTaskCallsAnd25TrackedTasks() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let caller = CountingCaller(client)
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: caller), sink: sink)
        let r = await runScript(#"""
            let td = register(\#(moto.taskDefinition(family: "fan-\(cluster)")))
            let ts = run(td, count: 25, cluster: "\#(cluster)", launchType: "FARGATE", networkConfiguration: \#(moto.network))
            print(len(ts), len(tasks()))
            let done = wait(ts)
            print(len(done.filter(fn(t) => t.ok)))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "25 25\n25\n")
        #expect(caller.count("RunTask") == 3)
        #expect(caller.requests("RunTask").compactMap { $0["count"] as? Int }.sorted() == [5, 10, 10], "calls run a few at a time, in any order")
        let tokens = Set(caller.requests("RunTask").compactMap { $0["clientToken"] as? String })
        #expect(tokens.count == 3, "each batch has its own client token")
        // One poller: every round asks about all unfinished tasks in one call.
        #expect(caller.count("DescribeTasks") <= 6)
        #expect(Set(session.registry.all.compactMap(\.arn)).count == 25)
    }

    @Test func errorCodesComeFromRealErrorResponses() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink)
        let r = await runScript(#"""
            let td = register(\#(moto.taskDefinition(family: "err-\(cluster)")))
            try {
                run(td, cluster: "no-such-\#(cluster)", launchType: "FARGATE", networkConfiguration: \#(moto.network))
            } catch e {
                print(e.code)
            }
            try { taskdef("never-registered-\#(cluster)") } catch e { print(e.code) }
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "ClusterNotFoundException\nClientException\n")
    }

    @Test func aWrongSecretIsRejectedBecauseSignaturesAreChecked() async throws {
        let moto = try Moto()
        var wrong = moto.keys
        wrong.secretAccessKey = String(wrong.secretAccessKey.reversed())
        let error = await #expect(throws: AWSError.self) {
            _ = try await moto.client(credentials: wrong).call(.ecs, "ListClusters", body: [])
        }
        #expect(error?.status == 403)
        #expect(error?.code == "SignatureDoesNotMatch")
        // And the right one passes, so the 403 was about the signature.
        _ = try await moto.client().call(.ecs, "ListClusters", body: [])
    }

    @Test func logsReadTheAwslogsStreamOfTheWatchedContainer() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let group = "/ecs/\(cluster)"
        _ = try await client.call(.logs, "CreateLogGroup", body: Array(#"{"logGroupName":"\#(group)"}"#.utf8))
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink)
        let launch = await runScript(#"""
            let td = register(\#(moto.taskDefinition(family: "logs-\(cluster)", logGroup: group)))
            let t = run(td, cluster: "\#(cluster)", launchType: "FARGATE", networkConfiguration: \#(moto.network))
            print(t.id)
            """#, session: session, sink: sink)
        #expect(launch.error == nil, "\(launch.error ?? "")")
        let id = launch.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let stream = "ecs/app/\(id)"
        _ = try await client.call(.logs, "CreateLogStream",
                                  body: Array(#"{"logGroupName":"\#(group)","logStreamName":"\#(stream)"}"#.utf8))
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let events = (1...3).map { #"{"timestamp":\#(now + $0),"message":"line \#($0)"}"# }.joined(separator: ",")
        _ = try await client.call(.logs, "PutLogEvents", body: Array(
            #"{"logGroupName":"\#(group)","logStreamName":"\#(stream)","logEvents":[\#(events)]}"#.utf8))

        let r = await runScript(#"""
            let t = tasks()[0]
            print(logs(t))
            let done = wait(t, logs: true)
            print(done.ok)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        // The session's sink got the launch's output first, then this script's.
        #expect(r.out == "\(id)\n[\"line 1\", \"line 2\", \"line 3\"]\nline 1\nline 2\nline 3\ntrue\n")
    }
}
