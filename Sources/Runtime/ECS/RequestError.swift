/// A request the runtime refuses before sending it: a parameter of the wrong kind or
/// value. Built-ins raise it as a TypeError or ValueError named after themselves.
public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The right kind with a value that is not allowed.
        case value
        /// The wrong kind, or the wrong shape for the API.
        case type
    }

    public var kind: Kind
    /// Without the name of the call: `'count' must be at least 1, got 0`.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func value(_ message: String) -> RequestError { RequestError(.value, message) }

    /// `'argument' must be expected, got a String`.
    public static func type(_ argument: String, _ expected: String, _ got: JSONValue) -> RequestError {
        RequestError(.type, "'\(argument)' must be \(expected), got \(got.kindWithArticle)")
    }

    public var description: String { message }
}
