/// An error response from an AWS service, decoded.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The exception name without namespace, e.g. `ClusterNotFoundException`.
    public var code: String
    public var message: String
    public var status: Int
    public var requestID: String?
    /// The error body's other top-level fields as JSON text (ConflictException's
    /// `resourceIds` among them), so callers can read what their operation documents.
    public var fields: [String: String]
    public var service: AWSService
    public var operation: String
    /// What the call was about, when the service's message does not say: `task definition
    /// web:2`, `log group /ecs/app stream ecs/app/1a2b`, `cluster prod`.
    public var resource: String?

    public init(code: String, message: String, status: Int, requestID: String? = nil,
                fields: [String: String] = [:], service: AWSService, operation: String) {
        self.code = code
        self.message = message
        self.status = status
        self.requestID = requestID
        self.fields = fields
        self.service = service
        self.operation = operation
    }

    public var description: String {
        var s = "\(operation)\(resource.map { " (\($0))" } ?? ""): \(code)"
        if !message.isEmpty { s += ": \(message)" }
        s += " (HTTP \(status)"
        if let requestID { s += ", request id \(requestID)" }
        return s + ")"
    }
}
