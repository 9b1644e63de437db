import Foundation
import Testing
@testable import Runtime

/// STS under botocore's standard rules: transient failures, throttling and
/// IDPCommunicationError are tried again; other errors and the last attempt are not.
@Suite struct STSRetryTests {
    static func xmlError(_ status: Int, _ code: String) -> ScriptedTransport.Step {
        .respond(HTTPResponse(status: status, body: Array("""
            <ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(code) happened</Message></Error>
            <RequestId>rid-1</RequestId></ErrorResponse>
            """.utf8)))
    }

    static let ok = ScriptedTransport.Step.respond(CredentialRoleTests.stsResponse("AssumeRoleWithWebIdentity", id: "ASIAWEB"))

    func client(_ steps: [ScriptedTransport.Step], attempts: Int = 3) -> (STSClient, ScriptedTransport, RecordingSleeper) {
        let transport = ScriptedTransport(steps)
        let sleeper = RecordingSleeper()
        let sts = STSClient(transport: transport, endpoint: URL(string: "https://sts.us-east-1.amazonaws.com")!, region: "us-east-1",
                            retry: .standard(maxAttempts: attempts), sleeper: sleeper.sleep)
        return (sts, transport, sleeper)
    }

    func assume(_ sts: STSClient) async throws -> AWSCredentials {
        try await sts.assumeRoleWithWebIdentity(roleARN: "arn:aws:iam::1:role/ci", sessionName: "s", webIdentityToken: "tok")
    }

    @Test(arguments: [(400, "IDPCommunicationError"), (400, "Throttling"), (503, "ServiceUnavailable"), (500, "InternalFailure")])
    func aTransientFailureIsTriedAgain(_ status: Int, _ code: String) async throws {
        let (sts, transport, sleeper) = client([Self.xmlError(status, code), Self.ok])
        let credentials = try await assume(sts)
        #expect(credentials.accessKeyID == "ASIAWEB")
        #expect(transport.requests.count == 2)
        #expect(sleeper.recorded.count == 1 && sleeper.recorded[0] <= .seconds(1), "the first backoff is under a second")
    }

    @Test func aDroppedConnectionIsTriedAgain() async throws {
        let (sts, transport, _) = client([.fail(TransportError(.connect, "refused")), Self.ok])
        #expect(try await assume(sts).accessKeyID == "ASIAWEB")
        #expect(transport.requests.count == 2)
    }

    @Test func aRefusalIsNotTriedAgain() async throws {
        let (sts, transport, sleeper) = client([Self.xmlError(400, "InvalidIdentityToken"), Self.ok])
        await #expect { _ = try await assume(sts) } throws: { "\($0)".contains("InvalidIdentityToken") && "\($0)".contains("rid-1") }
        #expect(transport.requests.count == 1 && sleeper.recorded.isEmpty)
    }

    @Test func theAttemptsAreCapped() async throws {
        let (sts, transport, sleeper) = client([Self.xmlError(400, "IDPCommunicationError"), Self.xmlError(400, "IDPCommunicationError"),
                                                Self.xmlError(400, "IDPCommunicationError"), Self.ok], attempts: 3)
        await #expect { _ = try await assume(sts) } throws: { "\($0)".contains("IDPCommunicationError") }
        #expect(transport.requests.count == 3 && sleeper.recorded.count == 2)
    }
}
