import Foundation
import Testing
@testable import Runtime
import TestSupport

/// The fault proxy itself, in front of a loopback server, seen through the real transport:
/// each fault does to the client what its name says, and RunTask tokens are kept as ECS
/// keeps them. The integration tests that use it against moto rely on this.
@Suite struct FaultProxyTests {
    static let answer = #"{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:1:task/c/1"}]}"#

    struct Setup {
        let upstream: LoopbackHTTPServer
        let proxy: FaultProxy
        let transport = AsyncHTTPTransport()

        init(_ plan: FaultPlan) throws {
            upstream = try LoopbackHTTPServer(responses: [HTTPResponse(status: 200, body: Array(FaultProxyTests.answer.utf8))])
            proxy = try FaultProxy(upstream: upstream.baseURL, plan: plan)
        }

        func send(_ operation: String = "DescribeTasks", body: String = "{}") async throws -> HTTPResponse {
            let url = try #require(URL(string: proxy.endpoint))
            let request = HTTPRequest(method: "POST", url: url, headers: [
                (name: "Host", value: SigV4.hostHeader(url)),
                (name: "X-Amz-Target", value: "AmazonEC2ContainerServiceV20141113.\(operation)"),
                (name: "Content-Type", value: "application/x-amz-json-1.1"),
            ], body: Array(body.utf8))
            return try await transport.send(request, timeout: .seconds(30))
        }

        /// The transport's error for a request that got no (whole) answer.
        func failure(_ operation: String = "DescribeTasks", body: String = "{}") async -> TransportError? {
            do {
                _ = try await send(operation, body: body)
                return nil
            } catch {
                return error as? TransportError
            }
        }
    }

    @Test func withoutFaultsTheRequestPassesUnchangedHostIncluded() async throws {
        let s = try Setup(.none)
        let response = try await s.send(body: #"{"cluster":"c"}"#)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == Self.answer)
        let seen = try #require(s.upstream.requests.first)
        #expect(seen.header("Host") == SigV4.hostHeader(try #require(URL(string: s.proxy.endpoint))),
                "the Host the client signed reaches the server")
        #expect(seen.header("X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.DescribeTasks")
        #expect(seen.bodyText == #"{"cluster":"c"}"#)
        let log = s.proxy.log
        #expect(log.count == 1 && log[0].operation == "DescribeTasks" && log[0].fault == nil && log[0].delivered)
        await s.transport.shutdown()
    }

    @Test func refusedAndResetRequestsNeverReachTheServer() async throws {
        let s = try Setup(.on("DescribeTasks", [1: .refuse, 2: .reset]))
        #expect(await s.failure()?.kind == .dropped, "refused after connecting: the request may have been sent, as far as the client knows")
        #expect(await s.failure()?.kind == .dropped, "reset")
        #expect(try await s.send().status == 200, "the third passes")
        #expect(s.upstream.requests.count == 1)
        #expect(s.proxy.log.map(\.fault) == [.refuse, .reset, nil])
        await s.transport.shutdown()
    }

    @Test func errorAnswersCarryTheirStatusAndTypeAndPassNothingOn() async throws {
        let s = try Setup(.on("DescribeTasks", [1: .serverError, 2: .unavailable, 3: .throttle]))
        for (status, type) in [(500, "ServerException"), (503, "ServiceUnavailableException"), (400, "ThrottlingException")] {
            let response = try await s.send()
            #expect(response.status == status)
            let error = ErrorDecoding.decode(response, service: .ecs, operation: "DescribeTasks")
            #expect(error?.code == type)
            #expect(error.map(RetryPolicy.isRetryable) == true, "the client retries \(type)")
        }
        #expect(s.upstream.requests.isEmpty)
        await s.transport.shutdown()
    }

    @Test func truncatedAndDroppedAnswersAreErrorsAfterTheServerActed() async throws {
        let s = try Setup(.on("DescribeTasks", [1: .truncate, 2: .drop, 3: .delay(.milliseconds(200))]))
        let truncated = await s.failure()
        #expect(truncated?.kind == .dropped, "a short body is an error, never a shorter answer: \(String(describing: truncated))")
        let dropped = await s.failure()
        #expect(dropped?.kind == .dropped)
        #expect(try await s.send().status == 200, "a delayed request is answered")
        #expect(s.upstream.requests.count == 3, "all three reached the server")
        #expect(s.proxy.log.map(\.delivered) == [false, false, true])
        await s.transport.shutdown()
    }

    @Test func aRepeatedRunTaskTokenIsAnsweredFromMemoryAsECSWould() async throws {
        let s = try Setup(.on("RunTask", [1: .drop]))
        let body = #"{"clientToken":"t-1","cluster":"c","count":1,"taskDefinition":"td"}"#
        let reordered = #"{"taskDefinition":"td","count":1,"cluster":"c","clientToken":"t-1"}"#
        #expect(await s.failure("RunTask", body: body)?.kind == .dropped)
        let retried = try await s.send("RunTask", body: reordered)
        #expect(retried.status == 200 && String(decoding: retried.body, as: UTF8.self) == Self.answer)
        let conflicting = try await s.send("RunTask", body: body.replacingOccurrences(of: #""count":1"#, with: #""count":2"#))
        #expect(ErrorDecoding.decode(conflicting, service: .ecs, operation: "RunTask")?.code == "ConflictException")
        let otherCluster = try await s.send("RunTask", body: body.replacingOccurrences(of: #""c""#, with: #""d""#))
        #expect(otherCluster.status == 200)
        #expect(s.upstream.requests.count == 2, "the retry and the conflict were not passed on; the other cluster's token is its own")
        #expect(s.proxy.log.map(\.answeredFromCache) == [false, true, false, false])
        #expect(s.proxy.log.map { $0.call.tokenRank } == [1, 1, 1, 2])
        await s.transport.shutdown()
    }

    @Test func aBatchRuleHitsEveryAttemptOfOneToken() async throws {
        let s = try Setup(.runTaskBatch(2, .unavailable))
        for token in ["a", "b", "b", "c", "b"] {
            _ = try await s.send("RunTask", body: #"{"clientToken":"\#(token)","count":1}"#)
        }
        #expect(s.proxy.log.map { $0.fault == nil } == [true, false, false, true, false])
        #expect(s.upstream.requests.count == 2)
        await s.transport.shutdown()
    }
}
