/// One awsJson1_1 call: the service, the operation and the exact body bytes.
/// `AWSClient` is the real one; it retries with the same bytes.
public protocol AWSCaller: Sendable {
    func call(_ service: AWSService, _ operation: String, body: [UInt8]) async throws -> [UInt8]
}
