import Foundation
import Lang
import Synchronization
import Testing
@testable import Runtime

/// Following many log streams: every line once, GetLogEvents paced under the backend's rate.
@Suite struct LogFollowTests {
    /// The fake ECS of FakeBackend, with one awslogs stream a task that holds two lines,
    /// the second written as the task stops and readable only after the backend's settle
    /// time; GetLogEvents calls are timed.
    final class StreamsBackend: Backend {
        let ecs: FakeBackend
        let rate: Double
        private let calls = Mutex<[ContinuousClock.Instant]>([])
        private let reads = Mutex<[String: Int]>([:])
        private let stoppedAt = Mutex<ContinuousClock.Instant?>(nil)

        init(ecs: FakeBackend, rate: Double) {
            self.ecs = ecs
            self.rate = rate
        }

        var callTimes: [ContinuousClock.Instant] { calls.withLock { $0 } }
        var readsByStream: [String: Int] { reads.withLock { $0 } }

        func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
            try await ecs.registerTaskDefinition(definition)
        }
        func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription { try await ecs.describeTaskDefinition(name) }
        func listTaskDefinitions(_ r: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse { try await ecs.listTaskDefinitions(r) }
        func runTask(_ r: RunTaskRequest) async throws -> RunTaskResponse { try await ecs.runTask(r) }
        func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
            let answer = try await ecs.describeTasks(cluster: cluster, tasks: tasks)
            if (answer.tasks ?? []).contains(where: { $0.lastStatus == "STOPPED" }) {
                stoppedAt.withLock { $0 = $0 ?? .now }
            }
            return answer
        }
        func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
            try await ecs.stopTask(cluster: cluster, task: task, reason: reason)
        }
        func listTasks(_ r: ListTasksRequest) async throws -> ListTasksResponse { try await ecs.listTasks(r) }

        func logStream(for task: TrackedTask, container: String?) -> LogStream? {
            task.task.id.map { LogStream(group: "g", name: "app/app/\($0)") }
        }

        var logReadsPerSecond: Double? { rate }
        var logSettleTime: Duration { .milliseconds(50) }

        func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
            let now = ContinuousClock.now
            calls.withLock { $0.append(now) }
            reads.withLock { $0[request.logStreamName, default: 0] += 1 }
            let stopped = stoppedAt.withLock { $0 }
            let id = request.logStreamName.split(separator: "/").last.map(String.init) ?? "?"
            var events: [OutputLogEvent] = []
            switch request.nextToken {
            case nil: events = [OutputLogEvent(timestamp: 1, message: "first \(id)")]
            case "f/1" where stopped.map({ now - $0 >= logSettleTime }) ?? false: events = [OutputLogEvent(timestamp: 2, message: "second \(id)")]
            default: break
            }
            let next = request.nextToken == nil ? "f/1" : (events.isEmpty ? request.nextToken : "f/2")
            return GetLogEventsResponse(events: events, nextForwardToken: next)
        }
    }

    @Test func manyStreamsAreReadAtTheBackendsPaceAndNoLineIsLostOrRepeated() async throws {
        let rate = 20.0
        let backend = StreamsBackend(ecs: FakeBackend(containers: ["app"], stopAfter: 4), rate: rate)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let ts = run("app", count: 30, wait: true, logs: true)
            print("ok", len(ts.filter(fn(t) => t.ok)))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.last == "ok 30")
        let logLines = lines.dropLast()
        #expect(logLines.count == 60, "two lines a task, each once: \(logLines.count)")
        #expect(Set(logLines).count == 60)
        #expect(logLines.allSatisfy { $0.hasPrefix("[") }, "several streams: each line says its task and container")
        #expect(backend.readsByStream.count == 30)

        // No second of the run saw more calls than the bucket holds plus a second's worth.
        // The times are taken where the calls arrive, after the limiter let them go: the
        // scheduler can bring two calls a few milliseconds closer than their tokens were,
        // which lets one more call into a window (41 was seen on a loaded machine). Without
        // the limiter the 30 streams' reads come all at once, far above this.
        let times = backend.callTimes
        var most = 0
        for (i, start) in times.enumerated() {
            most = max(most, times[i...].prefix { $0 - start < .seconds(1) }.count)
        }
        #expect(most <= Int(2 * rate) + 2, "\(most) GetLogEvents in one second at \(rate)/s")
        #expect(times.count > Int(2 * rate) + 2, "enough calls for the bound to mean something: \(times.count)")
    }

    @Test func throttlingHalvesTheRateAndCallsBringItBack() async throws {
        let limiter = LogReadLimiter()
        try await limiter.acquire(limit: 8)
        #expect(await limiter.currentRate == 8)
        await limiter.throttled()
        await limiter.throttled()
        #expect(await limiter.currentRate == 2)
        for _ in 0..<4 { await limiter.succeeded(limit: 8) }
        #expect(await limiter.currentRate == 3)
        // Unlimited backends (local) never wait and never set a rate.
        let free = LogReadLimiter()
        for _ in 0..<1000 { try await free.acquire(limit: nil) }
        #expect(await free.currentRate == nil)
    }

    @Test func callsBeyondTheBucketWaitTheirTurn() async throws {
        let limiter = LogReadLimiter()
        let start = ContinuousClock.now
        for _ in 0..<26 { try await limiter.acquire(limit: 50) }
        // The bucket starts with one call; 25 more at 50 a second take at least half a second.
        #expect(ContinuousClock.now - start >= .milliseconds(450))
    }
}
