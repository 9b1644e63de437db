import Foundation
import Lang
import Testing
@testable import Runtime

/// The Task and Container fields beyond the status: what moto fills is read from moto,
/// the rest from a scripted DescribeTasks answer with every field ECS documents.
@Suite struct TaskRecordFieldTests {
    @Test func motoFillsPrivateIpPlatformVersionTagsAndContainerHealth() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink)
        let r = await runScript(#"""
            let td = register(\#(moto.taskDefinition(family: "fields-\(cluster)")))
            let t = wait(run(td, cluster: "\#(cluster)", launchType: "FARGATE", networkConfiguration: \#(moto.network),
                             platformVersion: "1.4.0", tags: {team: "db", tier: "batch"}), timeout: 30s)
            print(t.privateIp != nil, len((t.privateIp ?? "").split(".")))
            print(t.platformVersion, t.tags)
            print(t.containers[0].healthStatus, t.containers[0].image)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "true 4\n1.4.0 {\"team\": \"db\", \"tier\": \"batch\"}\nHEALTHY busybox\n", "\(r.out)")
    }

    static let described = #"""
        {"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/abc123","lastStatus":"STOPPED","desiredStatus":"STOPPED",
          "stopCode":"EssentialContainerExited","createdAt":1764550000.5,"pullStartedAt":1764550001,"pullStoppedAt":1764550004.25,
          "startedAt":1764550010.5,"stoppingAt":1764550070,"stoppedAt":1764550075.5,"capacityProviderName":"FARGATE_SPOT",
          "platformVersion":"1.4.0","cpu":"512","memory":"1024","availabilityZone":"us-east-1b","healthStatus":"UNHEALTHY",
          "ephemeralStorage":{"sizeInGiB":30},"tags":[{"key":"team","value":"db"}],
          "attachments":[{"id":"a1","type":"ElasticNetworkInterface","status":"ATTACHED",
            "details":[{"name":"subnetId","value":"subnet-1"},{"name":"privateIPv4Address","value":"10.0.1.23"}]}],
          "containers":[{"name":"app","exitCode":0,"lastStatus":"STOPPED","image":"app:1","imageDigest":"sha256:feed",
            "healthStatus":"UNHEALTHY","networkBindings":[{"bindIP":"0.0.0.0","containerPort":80,"hostPort":32768,"protocol":"tcp"}]}]}],
         "failures":[]}
        """#

    @Test func everyDocumentedFieldFromAScriptedAnswer() async throws {
        let scripted = ScriptedECSTests()
        let (session, _, sink) = scripted.session([
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/abc123","lastStatus":"PENDING"}],"failures":[]}"#),
            ScriptedTransport.json(200, Self.described),
        ])
        let r = await runScript(#"""
            let t = describe("arn:aws:ecs:us-east-1:1:task/c/abc123")
            print(t.createdAt, t.startedAt, t.stoppingAt, t.stoppedAt, t.pullStartedAt, t.pullStoppedAt)
            print(t.timeToStart, t.runTime, t.startedAt > t.createdAt, t.stoppedAt - t.startedAt)
            print(t.capacityProviderName, t.platformVersion, t.cpu, t.memory, t.ephemeralStorage)
            print(t.availabilityZone, t.privateIp, t.healthStatus, t.tags)
            let c = t.containers[0]
            print(c.image, c.imageDigest, c.healthStatus, c.networkBindings)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(r.out)")
        #expect(lines.first == "1764550000.5 1764550010.5 1764550070.0 1764550075.5 1764550001.0 1764550004.25", "\(r.out)")
        #expect(lines.dropFirst(1).first == "10s 1m5s true 65.0", "\(r.out)")
        #expect(lines.dropFirst(2).first == "FARGATE_SPOT 1.4.0 512 1024 30", "\(r.out)")
        #expect(lines.dropFirst(3).first == "us-east-1b 10.0.1.23 UNHEALTHY {\"team\": \"db\"}", "\(r.out)")
        #expect(lines.dropFirst(4).first == #"app:1 sha256:feed UNHEALTHY [{"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 32768, "protocol": "tcp"}]"#, "\(r.out)")
    }

    @Test func timesAreNilUntilECSSaysAndTheCheckerKnowsTheFields() async throws {
        let scripted = ScriptedECSTests()
        let (session, _, sink) = scripted.session([
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/abc123","lastStatus":"PENDING"}],"failures":[]}"#),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/abc123","lastStatus":"PENDING"}],"failures":[]}"#),
        ])
        let r = await runScript(#"""
            let t = describe("arn:aws:ecs:us-east-1:1:task/c/abc123")
            print(t.startedAt, t.runTime, t.timeToStart, t.tags, t.privateIp)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "nil nil nil {} nil\n", "\(r.out)")
        #expect(RecordSchemas.task.fields.map(\.name).contains("runTime"))
        #expect(RecordSchemas.container.fields.map(\.name).contains("imageDigest"))
    }
}
