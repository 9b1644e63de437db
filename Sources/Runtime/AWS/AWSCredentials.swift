import Foundation

/// A set of AWS keys. Its descriptions never show the secret or the token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public var expiration: Date?
    /// Where they came from, for messages: "environment", "profile dev", "container", ...
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: Date? = nil, source: String = "") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String { "credentials from \(source.isEmpty ? "an unknown source" : source)" }
    public var debugDescription: String { description }
}

/// Gives credentials on demand; implementations cache and refresh before expiry.
public protocol CredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials, for tests and for keys given directly.
public struct StaticCredentials: CredentialsProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}
