import Foundation
import Lang
import Testing
@testable import Runtime

/// `taskdef()` in a config with `service:` is the service's current task definition
/// (DescribeServices), as ecspresso's --skip-task-definition runs it.
@Suite struct ServiceTaskDefinitionMotoTests {
    @Test func taskdefWithoutAFamilyIsTheServices() async throws {
        let moto = try Moto()
        let client = moto.client()
        let cluster = try await moto.cluster(client)
        let family = "svc-\(cluster)"
        let td = #"{"family":"\#(family)","containerDefinitions":[{"name":"app","image":"busybox","memory":128}]}"#
        for _ in 0..<3 { _ = try await client.call(.ecs, "RegisterTaskDefinition", body: Array(td.utf8)) }
        _ = try await client.call(.ecs, "CreateService", body: Array(#"""
            {"cluster":"\#(cluster)","serviceName":"api","taskDefinition":"\#(family):2","desiredCount":0}
            """#.utf8))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-svc-\(cluster)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "region: us-east-1\ncluster: \(cluster)\nservice: api\n".write(to: dir.appendingPathComponent("ecspresso.yaml"), atomically: true, encoding: .utf8)

        let sink = SessionSink()
        let options = SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: dir.path)
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink, options: options)
        // config() finds ecspresso.yaml, as ecspresso's discovery does.
        let r = await runScript("""
            config()
            let current = taskdef()
            let latest = taskdef("\(family)")
            let first = taskdef(revision: 1)
            print(current.revision, latest.revision, first.revision, first.family == latest.family)
            """, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "2 3 1 true\n")
    }
}
