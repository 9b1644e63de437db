import Foundation
import Synchronization
import Testing
@testable import Runtime

@Suite struct AWSClientTests {
    static let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN", source: "test")

    func client(_ transport: ScriptedTransport, sleeper: RecordingSleeper = RecordingSleeper(), clock: TestClock = TestClock(),
                retry: RetryPolicy = .standard(), credentials: (any CredentialsProvider)? = nil,
                endpoint: String = "http://127.0.0.1:5000", debug: DebugLog? = nil) throws -> AWSClient {
        AWSClient(region: "us-east-1", endpoints: [.ecs: try #require(URL(string: endpoint))],
                  credentials: credentials ?? StaticCredentials(Self.keys), transport: transport, retry: retry,
                  debug: debug, sleeper: sleeper.sleep, now: clock.now, random: { 0.5 })
    }

    @Test func sendsAnAwsJsonRequest() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"clusters":[]}"#)])
        let answer = try await client(transport).call(.ecs, "ListClusters", body: [])
        #expect(String(decoding: answer, as: UTF8.self) == #"{"clusters":[]}"#)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "http://127.0.0.1:5000/")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(request.header("X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.ListClusters")
        #expect(request.header("User-Agent") == "ecsh/0.1")
        #expect(request.header("Host") == "127.0.0.1:5000")
        #expect(request.header("X-Amz-Security-Token") == Self.keys.sessionToken)
        #expect(request.header("Authorization")?.contains("Credential=AKIDEXAMPLE/20240102/us-east-1/ecs/aws4_request") == true)
        #expect(String(decoding: request.body, as: UTF8.self) == "{}")
    }

    @Test func keepsTheEndpointsPathAndUsesTheDefaultEndpointOtherwise() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, "{}"), ScriptedTransport.json(200, "{}")])
        let c = try client(transport, endpoint: "https://proxy.example.com/aws/ecs")
        _ = try await c.call(.ecs, "ListClusters", body: [])
        _ = try await c.call(.logs, "DescribeLogGroups", body: [])
        #expect(transport.requests.map(\.url.absoluteString) ==
                ["https://proxy.example.com/aws/ecs", "https://logs.us-east-1.amazonaws.com/"])
        #expect(transport.requests.last?.header("X-Amz-Target") == "Logs_20140328.DescribeLogGroups")
        #expect(transport.requests.last?.header("Authorization")?.contains("/us-east-1/logs/aws4_request") == true)
    }

    @Test func retriesThrottlingThenSucceeds() async throws {
        let transport = ScriptedTransport([ScriptedTransport.error(400, "ThrottlingException", "Rate exceeded"),
                                           ScriptedTransport.json(200, #"{"ok":1}"#)])
        let sleeper = RecordingSleeper()
        let answer = try await client(transport, sleeper: sleeper).call(.ecs, "DescribeTasks", body: Array("{}".utf8))
        #expect(String(decoding: answer, as: UTF8.self) == #"{"ok":1}"#)
        #expect(transport.requests.count == 2)
        // random 0.5 times min(2^0, 20) seconds.
        #expect(sleeper.recorded == [.milliseconds(500)])
    }

    @Test func retriesServerErrorsWithGrowingBackoff() async throws {
        let transport = ScriptedTransport([ScriptedTransport.error(500, "ServerException"),
                                           ScriptedTransport.json(503, ""), ScriptedTransport.json(200, "{}")])
        let sleeper = RecordingSleeper()
        _ = try await client(transport, sleeper: sleeper).call(.ecs, "ListClusters", body: [])
        #expect(transport.requests.count == 3)
        #expect(sleeper.recorded == [.milliseconds(500), .milliseconds(1000)])
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.json(503, "Service Unavailable"), count: 4))
        let sleeper = RecordingSleeper()
        let error = await #expect(throws: AWSError.self) {
            _ = try await client(transport, sleeper: sleeper).call(.ecs, "ListClusters", body: [])
        }
        #expect(error?.status == 503)
        #expect(error?.code == "HTTP 503")
        #expect(transport.requests.count == 3)
        #expect(sleeper.recorded.count == 2)
    }

    @Test func maxAttemptsOneMeansNoRetry() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(503, ""), ScriptedTransport.json(200, "{}")])
        await #expect(throws: AWSError.self) {
            _ = try await client(transport, retry: .standard(maxAttempts: 1)).call(.ecs, "ListClusters", body: [])
        }
        #expect(transport.requests.count == 1)
    }

    @Test func retryAfterADroppedConnectionResendsTheSameBodyFreshlySigned() async throws {
        let body = Array(#"{"cluster":"c","clientToken":"5f0c4d62-6a2e-4f1b-9d7e-0123456789ab","taskDefinition":"td:1"}"#.utf8)
        let transport = ScriptedTransport([.fail(TransportError(.dropped, "connection reset")), ScriptedTransport.json(200, "{}")])
        let clock = TestClock(Date(timeIntervalSince1970: 1_704_164_645.5))
        let sleeper = RecordingSleeper(clock: clock)
        // A backoff of 0.999 s moves the signing date into the next second.
        let c = AWSClient(region: "us-east-1", endpoints: [.ecs: try #require(URL(string: "http://127.0.0.1:5000"))],
                          credentials: StaticCredentials(Self.keys), transport: transport,
                          sleeper: sleeper.sleep, now: clock.now, random: { 0.999 })
        _ = try await c.call(.ecs, "RunTask", body: body)
        let requests = transport.requests
        try #require(requests.count == 2)
        #expect(requests[0].body == body)
        #expect(requests[1].body == body)
        #expect(requests[0].header("X-Amz-Date") == "20240102T030405Z")
        #expect(requests[1].header("X-Amz-Date") == "20240102T030406Z")
        #expect(requests[0].header("Authorization") != requests[1].header("Authorization"))
    }

    @Test func nonRetryableErrorIsThrownAtOnce() async throws {
        let transport = ScriptedTransport([ScriptedTransport.error(400, "com.amazonaws.ecs#ClientException",
                                                                   "Cluster not found.", requestID: "rid-42")])
        let sleeper = RecordingSleeper()
        let error = await #expect(throws: AWSError.self) {
            _ = try await client(transport, sleeper: sleeper).call(.ecs, "DescribeClusters", body: [])
        }
        #expect(transport.requests.count == 1)
        #expect(sleeper.recorded.isEmpty)
        #expect(error?.code == "ClientException")
        #expect(error?.message == "Cluster not found.")
        #expect(error?.status == 400)
        #expect(error?.requestID == "rid-42")
        #expect(error?.operation == "DescribeClusters")
        #expect(error?.service == .ecs)
    }

    @Test func conflictCarriesResourceIDs() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(400,
            #"{"__type":"ConflictException","message":"token reused","resourceIds":["arn:aws:ecs:us-east-1:1:task/c/abc"]}"#)])
        let error = await #expect(throws: AWSError.self) {
            _ = try await client(transport).call(.ecs, "RunTask", body: [])
        }
        #expect(error?.code == "ConflictException")
        #expect(error?.fields["resourceIds"] == #"["arn:aws:ecs:us-east-1:1:task/c/abc"]"#)
        #expect(transport.requests.count == 1)
    }

    /// Expired keys on the first try, fresh ones after.
    final class RotatingCredentials: CredentialsProvider {
        let calls = Mutex(0)
        func credentials() async throws -> AWSCredentials {
            let n = calls.withLock { n in n += 1; return n }
            return n == 1 ? AWSCredentials(accessKeyID: "AKIDOLD", secretAccessKey: "old-secret", source: "test")
                          : AWSCredentials(accessKeyID: "AKIDNEW", secretAccessKey: "new-secret", source: "test")
        }
    }

    @Test func eachAttemptFetchesCredentials() async throws {
        let transport = ScriptedTransport([ScriptedTransport.error(500, "InternalError"), ScriptedTransport.json(200, "{}")])
        _ = try await client(transport, credentials: RotatingCredentials()).call(.ecs, "ListClusters", body: [])
        let auth = transport.requests.map { $0.header("Authorization") ?? "" }
        #expect(auth.count == 2)
        #expect(auth.first?.contains("Credential=AKIDOLD/") == true)
        #expect(auth.last?.contains("Credential=AKIDNEW/") == true)
    }

    struct BrokenCredentials: CredentialsProvider {
        struct Failure: Error, Equatable {}
        func credentials() async throws -> AWSCredentials { throw Failure() }
    }

    @Test func credentialErrorsPassThroughUnchanged() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, "{}")])
        await #expect(throws: BrokenCredentials.Failure()) {
            _ = try await client(transport, credentials: BrokenCredentials()).call(.ecs, "ListClusters", body: [])
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func transportFailureAfterRetriesNamesEndpointAndAttempts() async throws {
        let transport = ScriptedTransport(Array(repeating: .fail(TransportError(.connect, "connection refused")), count: 3))
        let error = await #expect(throws: TransportError.self) {
            _ = try await client(transport).call(.ecs, "ListClusters", body: [])
        }
        #expect(error?.kind == .connect)
        #expect(error?.message.contains("http://127.0.0.1:5000/") == true)
        #expect(error?.message.contains("3 attempts") == true)
        #expect(error?.message.contains("connection refused") == true)
        #expect(transport.requests.count == 3)
    }

    @Test func cancellationStopsRetrying() async throws {
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.json(503, ""), count: 3))
        let c = AWSClient(region: "us-east-1", endpoints: [.ecs: try #require(URL(string: "http://127.0.0.1:5000"))],
                          credentials: StaticCredentials(Self.keys), transport: transport,
                          sleeper: { _ in throw CancellationError() })
        await #expect(throws: CancellationError.self) {
            _ = try await c.call(.ecs, "ListClusters", body: [])
        }
        #expect(transport.requests.count == 1)
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, "{}")])
        let c = try client(transport)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await c.call(.ecs, "ListClusters", body: [])
        }
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(transport.requests.isEmpty)
    }

    struct Describe: Codable { var cluster: String; var since: Date }
    struct Described: Codable, Equatable { var name: String; var createdAt: Date }

    @Test func typedCallUsesEpochSeconds() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"name":"x","createdAt":1704164645.5}"#)])
        let result = try await client(transport).call(.ecs, "Describe", Describe(cluster: "c", since: Date(timeIntervalSince1970: 100)),
                                                      as: Described.self)
        #expect(result == Described(name: "x", createdAt: Date(timeIntervalSince1970: 1_704_164_645.5)))
        #expect(String(decoding: transport.requests.first?.body ?? [], as: UTF8.self) == #"{"cluster":"c","since":100}"#)
    }

    @Test func typedCallExplainsAnUnexpectedResponse() async throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, #"{"createdAt":1}"#)])
        let error = await #expect(throws: AWSClient.ResponseDecodingError.self) {
            _ = try await client(transport).call(.ecs, "DescribeThings", Describe(cluster: "c", since: Date()), as: Described.self)
        }
        #expect(error?.description.contains("DescribeThings") == true)
        #expect(error?.description.contains("name") == true)
    }

    @Test func retryQuotaRunsOut() async throws {
        // 100 calls each failing twice with a retry cost of 5 drain the 500-token quota.
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.json(503, ""), count: 400))
        let c = try client(transport)
        for _ in 0..<100 {
            _ = try? await c.call(.ecs, "ListClusters", body: [])
        }
        let sent = transport.requests.count
        #expect(sent < 300)
        // With the quota empty a failure is not retried.
        _ = try? await c.call(.ecs, "ListClusters", body: [])
        #expect(transport.requests.count == sent + 1)
    }

    @Test func adaptiveModeSlowsDownAfterThrottling() async throws {
        let throttle = ScriptedTransport.error(400, "ThrottlingException", "Rate exceeded")
        let transport = ScriptedTransport([throttle, throttle, ScriptedTransport.json(200, "{}"), ScriptedTransport.json(200, "{}")])
        let sleeper = RecordingSleeper()
        let c = try client(transport, sleeper: sleeper, retry: .adaptive())
        _ = try await c.call(.ecs, "ListClusters", body: [])
        // Two backoffs (0.5 s, 1 s), and after the first throttle the limiter also made it wait.
        let backoffs: [Duration] = [.milliseconds(500), .milliseconds(1000)]
        let limiterWaits = sleeper.recorded.filter { !backoffs.contains($0) }
        #expect(!limiterWaits.isEmpty)
        #expect(sleeper.recorded.count > 2)
        let before = sleeper.recorded.count
        _ = try await c.call(.ecs, "ListClusters", body: [])
        #expect(sleeper.recorded.count == before + 1, "the limiter stays on for later calls")
    }

    @Test func standardModeNeverWaitsBeforeAFirstAttempt() async throws {
        let transport = ScriptedTransport([ScriptedTransport.error(400, "ThrottlingException"), ScriptedTransport.json(200, "{}"),
                                           ScriptedTransport.json(200, "{}")])
        let sleeper = RecordingSleeper()
        let c = try client(transport, sleeper: sleeper)
        _ = try await c.call(.ecs, "ListClusters", body: [])
        _ = try await c.call(.ecs, "ListClusters", body: [])
        #expect(sleeper.recorded == [.milliseconds(500)])
    }

    @Test func debugOutputHidesSecrets() async throws {
        let lines = Mutex<[String]>([])
        let log = DebugLog { text in lines.withLock { $0.append(text) } }
        let transport = ScriptedTransport([
            ScriptedTransport.error(400, "ThrottlingException", "Rate exceeded"),
            ScriptedTransport.json(200, #"{"credentials":{"accessKeyId":"ASIAXYZ","secretAccessKey":"s3cr3t-in-body","sessionToken":"tok-in-body"}}"#),
        ])
        let c = try client(transport, debug: log)
        _ = try await c.call(.ecs, "RunTask", body: Array(#"{"password":"hunter2","cluster":"c"}"#.utf8))
        let output = lines.withLock { $0.joined(separator: "\n") }
        let signature = try #require(transport.requests.last?.header("Authorization")?.components(separatedBy: "Signature=").last)
        for secret in [Self.keys.secretAccessKey, try #require(Self.keys.sessionToken), signature, "s3cr3t-in-body", "tok-in-body", "hunter2"] {
            #expect(!output.contains(secret), "debug output shows \(secret)")
        }
        #expect(output.contains("Credential=AKID****"))
        #expect(output.contains("X-Amz-Target: AmazonEC2ContainerServiceV20141113.RunTask"))
        #expect(output.contains(#""cluster":"c""#))
        #expect(output.contains("HTTP 400"))
        #expect(output.contains("retrying in 0.5s after ThrottlingException (attempt 2 of 3)"))
    }
}
