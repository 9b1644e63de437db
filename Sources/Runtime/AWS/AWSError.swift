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
        var s = "\(operation): \(code)"
        if !message.isEmpty { s += ": \(message)" }
        s += " (HTTP \(status)"
        if let requestID { s += ", request id \(requestID)" }
        return s + ")"
    }
}
