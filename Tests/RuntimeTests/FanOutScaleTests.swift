import Foundation
import Testing
@testable import Runtime

/// A thousand tasks through the real client, signer and retries, against an ECS that
/// throttles: none lost, none launched twice, DescribeTasks only for live tasks, 100 a call.
@Suite struct FanOutScaleTests {
    @Test func aThousandTasksLaunchAndStopThroughThrottling() async throws {
        let ecs = SimulatedECS(throttleEvery: 7)
        let url = try #require(URL(string: "https://ecs.us-east-1.amazonaws.com/"))
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url, .logs: url],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                               transport: ecs, retry: .standard(), sleeper: { _ in })
        let sink = SessionSink()
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink)
        let r = await runScript(#"""
            let ts = run("app:1", cluster: "c", count: 1000, wait: true)
            var arns = {}
            for t in ts { arns[t.arn] = true }
            print(len(ts), len(arns), len(ts.filter(fn(t) => t.ok)), len(tasks()))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "1000 1000 1000 1000\n")

        // RunTask: the minimum of calls that started tasks, each batch under one token and one body.
        let launches = ecs.launches
        #expect(launches.count == 100)
        #expect(Set(launches.map(\.token)).count == 100)
        #expect(launches.allSatisfy { $0.count == 10 })
        #expect(ecs.bodiesByToken.values.allSatisfy { $0.count == 1 }, "a token was sent with two different requests")
        #expect(ecs.throttled("RunTask") > 0 && ecs.throttled("DescribeTasks") > 0, "the run met throttling")

        // DescribeTasks: 100 tasks a call at most, never about a task already seen stopped.
        let describes = ecs.describes
        #expect(describes.allSatisfy { $0.count <= 100 })
        #expect(ecs.askedAfterStop.isEmpty, "\(ecs.askedAfterStop.count) tasks described after they stopped")
        // Two rounds of 10 move every task to STOPPED; a throttled round is asked again.
        #expect(describes.count <= 20 + 10 * ecs.throttled("DescribeTasks"), "\(describes.count) DescribeTasks")
    }
}
