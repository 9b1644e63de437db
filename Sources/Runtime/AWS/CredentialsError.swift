/// Credentials could not be had: none were configured, or a configured source failed.
///
/// Messages name sources, files, profiles and variables; they never carry a secret key,
/// a session token or the output of a `credential_process`.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No source in the chain had credentials.
        case notFound
        /// A source was configured but is incomplete or wrong (a key id without its
        /// secret, a `role_arn` without a source, a `source_profile` loop, bad JSON).
        case invalidConfiguration
        /// A source was configured and failed when asked (STS refused, the process
        /// exited non-zero, the container endpoint did not answer).
        case sourceFailed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The hint that ends every "nothing found" message.
    static let localHint = "Use --local to run tasks as local processes without AWS."
}
