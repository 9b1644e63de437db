import Foundation
import Lang
import Testing
@testable import Runtime

/// AWS errors whose message does not say what they were about name it: the task
/// definition, the log group and stream, the cluster.
@Suite struct ResourceNamedErrorTests {
    let scripted = ScriptedECSTests()

    @Test func describeTaskDefinitionNamesFamilyAndRevision() async throws {
        let (session, _, sink) = scripted.session([
            ScriptedTransport.error(400, "ClientException", "Unable to describe task definition."),
        ])
        let r = await runScript(#"taskdef("web:2")"#, session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("DescribeTaskDefinition (task definition web:2): ClientException: Unable to describe task definition."), "\(error)")
    }

    @Test func logsNamesTheGroupAndStream() async throws {
        let td = #"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:1:task-definition/app:3","family":"app","revision":3,"containerDefinitions":[{"name":"app","essential":true,"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app","awslogs-stream-prefix":"web"}}}]}}"#
        let (session, _, sink) = scripted.session([
            ScriptedTransport.json(200, td),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(ScriptedECSTests.arn)","lastStatus":"PENDING"}],"failures":[]}"#),
            ScriptedTransport.error(400, "ResourceNotFoundException", "The specified log group does not exist."),
        ], retry: .standard(maxAttempts: 1))
        let r = await runScript(#"logs(run("app:3", cluster: "c"))"#, session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("GetLogEvents (log group /ecs/app stream web/app/abc123): ResourceNotFoundException: The specified log group does not exist."), "\(error)")
    }

    @Test func runTaskNamesTheCluster() async throws {
        let (session, _, sink) = scripted.session([
            ScriptedTransport.json(200, ScriptedECSTests.taskDefinition),
            ScriptedTransport.error(400, "ClusterNotFoundException", "Cluster not found."),
        ], retry: .standard(maxAttempts: 1))
        let r = await runScript(#"run("app:3", cluster: "prod")"#, session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("RunTask (cluster prod): ClusterNotFoundException: Cluster not found."), "\(error)")
    }

    @Test func anErrorWithoutAResourceReadsAsBefore() {
        let e = AWSError(code: "ThrottlingException", message: "Rate exceeded", status: 400, service: .ecs, operation: "RunTask")
        #expect(e.description == "RunTask: ThrottlingException: Rate exceeded (HTTP 400)")
    }
}
