/// One awsJson1_1 call: the service, the operation and the exact body bytes.
/// `AWSClient` is the real one; it retries with the same bytes.
public protocol AWSCaller: Sendable {
    func call(_ service: AWSService, _ operation: String, body: [UInt8]) async throws -> [UInt8]
    /// Signs and sends a request of another protocol (S3's REST GET), with the same retries
    /// and credentials; returns the 2xx response.
    func send(_ service: AWSService, _ operation: String, _ request: HTTPRequest) async throws -> HTTPResponse
}

extension AWSCaller {
    public func send(_ service: AWSService, _ operation: String, _ request: HTTPRequest) async throws -> HTTPResponse {
        throw AWSClient.ConfigurationError(message: "\(operation): this backend cannot send \(service.rawValue) requests")
    }
}
