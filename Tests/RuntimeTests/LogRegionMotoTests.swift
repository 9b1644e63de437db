import Foundation
import Lang
import Testing
@testable import Runtime

/// Logs are read in each container's `awslogs-region`, not the client's (moto keeps each
/// region's log groups apart, as CloudWatch Logs does).
@Suite struct LogRegionMotoTests {
    @Test func aStreamInAnotherRegionIsReadThere() async throws {
        let moto = try Moto()
        let home = moto.client()
        let away = home.inRegion("eu-west-1")
        let group = "/ecs/far-\(UUID().uuidString.prefix(8))"
        _ = try await away.call(.logs, "CreateLogGroup", body: Array(#"{"logGroupName":"\#(group)"}"#.utf8))
        _ = try await away.call(.logs, "CreateLogStream", body: Array(#"{"logGroupName":"\#(group)","logStreamName":"ecs/app/t1"}"#.utf8))
        let now = Int(Date().timeIntervalSince1970 * 1000)
        _ = try await away.call(.logs, "PutLogEvents", body: Array(#"""
            {"logGroupName":"\#(group)","logStreamName":"ecs/app/t1","logEvents":[{"timestamp":\#(now),"message":"hello from eu-west-1"}]}
            """#.utf8))

        let definition = try WireJSON.decode(TaskDefinitionDescription.self, Array(#"""
            {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/far:1", "family": "far",
             "containerDefinitions": [{"name": "app", "essential": true, "logConfiguration": {"logDriver": "awslogs",
               "options": {"awslogs-group": "\#(group)", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs"}}}]}
            """#.utf8), operation: "test")
        let task = ECSTask(taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/t1")
        let tracked = TrackedTask(cluster: "c", task: task, watch: "app", definition: definition)
        let stream = try #require(LogStream.of(tracked))
        #expect(stream.region == "eu-west-1")

        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: home), sink: sink)
        let (lines, _) = try await LogStream.read(stream, after: nil, session: session)
        #expect(lines == ["hello from eu-west-1"])
    }
}
