import Foundation
import Lang
import Testing
@testable import Runtime

/// Endpoint paths signed as sent; task definition files keep no response-only field.
@Suite struct WireGapTests {
    /// botocore's SigV4Auth for the request of ``SigV4Tests`` sent to a path of a proxy.
    func signature(_ endpoint: String) throws -> String {
        let url = try #require(URL(string: endpoint))
        let request = HTTPRequest(url: url, headers: [
            (name: "Content-Type", value: "application/x-amz-json-1.1"),
            (name: "X-Amz-Target", value: "AmazonEC2ContainerServiceV20141113.DescribeTasks"),
        ], body: Array(SigV4Tests().body.utf8))
        let creds = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let signed = SigV4(region: "us-east-1", service: "ecs").sign(request, credentials: creds, date: Date(timeIntervalSince1970: 1_704_164_645))
        return try #require(signed.header("Authorization")?.components(separatedBy: "Signature=").last)
    }

    @Test func aPathEndingWithASlashIsSignedWithIt() throws {
        #expect(try signature("https://proxy.example.com/aws/ecs/") == "faff969caebcf59cf68fd959b3565443286890c728ff14e63bcf6631fe3c5fc1")
        #expect(try signature("https://proxy.example.com/aws/ecs") == "e8a10cfb7dbf767e3bca5ffa851564054854760841a018a7e262ca5acd414525")
    }

    @Test func theClientSendsTheEndpointPathAsGiven() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"tasks":[],"failures":[]}"#)])
        let endpoint = try #require(URL(string: "https://proxy.example.com/aws/ecs/"))
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: endpoint],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                               transport: transport)
        _ = try await client.call(.ecs, "DescribeTasks", body: Array(#"{"tasks":[]}"#.utf8))
        let sent = try #require(transport.requests.first)
        #expect(URLComponents(url: sent.url, resolvingAgainstBaseURL: false)?.path == "/aws/ecs/")
        #expect(SigV4.canonicalPath(sent.url, service: "ecs") == "/aws/ecs/")
    }

    /// SigV4's canonical URI: the path as sent, each segment encoded again, except for S3
    /// (AWS's "Create a canonical request": "each path segment must be URI-encoded twice").
    @Test func aPathIsEncodedTwiceForEveryServiceButS3() throws {
        let url = try #require(URL(string: "https://proxy.example.com/my%20proxy/ecs~x/"))
        #expect(SigV4.canonicalPath(url, service: "ecs") == "/my%2520proxy/ecs~x/")
        #expect(SigV4.canonicalPath(url, service: "logs") == "/my%2520proxy/ecs~x/")
        #expect(SigV4.canonicalPath(url, service: "s3") == "/my%20proxy/ecs~x/")
        let key = try #require(URL(string: "https://bucket.s3.amazonaws.com/envs/prod%2Fa/terraform.tfstate"))
        #expect(SigV4.canonicalPath(key, service: "s3") == "/envs/prod%2Fa/terraform.tfstate")
    }

    @Test func deleteRequestedAtIsDroppedFromATaskDefinitionFile() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("described.json", """
            {"taskDefinition": {"family": "app", "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 128}],
              "status": "DELETE_IN_PROGRESS", "deleteRequestedAt": "2024-03-01T00:00:00Z", "deregisteredAt": "2024-02-01T00:00:00Z"}}
            """)
        guard case .map(let m) = try TaskDefinitionFile.load(path: path, environment: [:]) else {
            Issue.record("not a map")
            return
        }
        #expect(Array(m.entries.keys) == ["family", "containerDefinitions"])
    }
}

/// RunTask's launch type and network checks in a script.
@Suite struct RunTaskCheckTests {
    @Test func managedInstancesIsRefusedBeforeAnyRunTask() async throws {
        let (session, transport, sink) = ScriptedECSTests().session([ScriptedTransport.json(200, ScriptedECSTests.taskDefinition)])
        let r = await runScript(#"run("app:3", cluster: "c", launchType: "MANAGED_INSTANCES")"#, session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("launchType MANAGED_INSTANCES is not taken by RunTask"), "\(error)")
        #expect(error.contains(#"capacityProviderStrategy: [{capacityProvider: "NAME"}] and no launchType"#), "\(error)")
        #expect(!ScriptedECSTests().operations(transport).contains("RunTask"))
    }

    @Test func aMisspeltSubnetsKeyGetsADidYouMean() async throws {
        let (session, transport, sink) = ScriptedECSTests().session([ScriptedTransport.json(200, ScriptedECSTests.taskDefinition)])
        let r = await runScript(#"run("app:3", cluster: "c", launchType: "FARGATE", networkConfiguration: {awsvpcConfiguration: {subnet: ["s-1"]}})"#,
                                session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("unknown field 'subnet' in networkConfiguration.awsvpcConfiguration (did you mean 'subnets'?)"), "\(error)")
        #expect(!ScriptedECSTests().operations(transport).contains("RunTask"))
    }
}
