import Foundation

/// The JSON credentials document that `credential_process`, the container endpoint and
/// instance metadata all return, in their slightly different spellings: the token is
/// `SessionToken` from a process and `Token` from the endpoints.
struct CredentialsDocument: Decodable, Sendable {
    var Version: Int?
    var Code: String?
    var AccessKeyId: String?
    var SecretAccessKey: String?
    var SessionToken: String?
    var Token: String?
    var Expiration: String?

    /// Decodes `bytes`; nil when they are not such a JSON object. The decoder's own
    /// error is dropped on purpose: its text can quote the input, which holds secrets.
    static func decode(_ bytes: [UInt8]) -> CredentialsDocument? {
        try? JSONDecoder().decode(CredentialsDocument.self, from: Data(bytes))
    }

    /// The credentials, or a reason (free of secrets) why the document does not hold them.
    func credentials(source: String) -> Result<AWSCredentials, CredentialsError> {
        guard let id = AccessKeyId, !id.isEmpty, let secret = SecretAccessKey, !secret.isEmpty else {
            return .failure(CredentialsError(.sourceFailed,
                "\(source) returned a document without AccessKeyId and SecretAccessKey"))
        }
        var expiration: Date?
        if let text = Expiration, !text.isEmpty {
            guard let date = Self.parseTimestamp(text) else {
                return .failure(CredentialsError(.sourceFailed,
                    "\(source) returned an Expiration that is not an ISO 8601 timestamp: '\(text)'"))
            }
            expiration = date
        }
        let token = [SessionToken, Token].compactMap { $0 }.first { !$0.isEmpty }
        return .success(AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token,
                                       expiration: expiration, source: source))
    }

    /// ISO 8601 as AWS writes it: `2030-01-01T00:00:00Z`, with or without fractional
    /// seconds, with `Z` or an offset.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
