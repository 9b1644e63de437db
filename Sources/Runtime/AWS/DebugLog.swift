import Foundation

/// What `--debug` prints about AWS traffic: each attempt's request and response, and
/// each retry decision. Whatever could let a reader act as the user is masked first:
/// the signature, the session token, and secret-looking fields of JSON and XML bodies.
public final class DebugLog: Sendable {
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives one finished block of text at a time.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Writes a line of its own, e.g. the client-side rate limiter's wait.
    public func note(_ text: String) {
        write(text)
    }

    /// The request of one attempt, as signed.
    public func request(_ request: HTTPRequest, service: AWSService, operation: String, attempt: Int, of maxAttempts: Int) {
        var lines = ["--> \(service.rawValue) \(operation) attempt \(attempt) of \(maxAttempts)",
                     "\(request.method) \(request.url.absoluteString)"]
        lines += request.headers.map { "\($0.name): \(Self.redactHeader(name: $0.name, value: $0.value))" }
        lines.append("")
        lines.append(Self.redactBody(request.body))
        write(lines.joined(separator: "\n"))
    }

    /// The response an attempt got.
    public func response(_ response: HTTPResponse, service: AWSService, operation: String) {
        var lines = ["<-- \(service.rawValue) \(operation) HTTP \(response.status)"]
        lines += response.headers.map { "\($0.name): \(Self.redactHeader(name: $0.name, value: $0.value))" }
        lines.append("")
        lines.append(Self.redactResponseBody(response, service: service, operation: operation))
        write(lines.joined(separator: "\n"))
    }

    /// Parameter values (SecureStrings come back decrypted) and S3 objects (Terraform state
    /// holds passwords and keys) are never shown; their errors are.
    static func redactResponseBody(_ response: HTTPResponse, service: AWSService, operation: String) -> String {
        let ok = (200..<300).contains(response.status)
        if ok, service == .s3 { return "(\(response.body.count) bytes of object data, not shown)" }
        if ok, service == .ssm, let regex = parameterValue {
            let text = redactBody(response.body)
            return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1\"****\"")
        }
        if ok, service == .ssm { return "(\(response.body.count) bytes, not shown)" }
        return redactBody(response.body)
    }

    private static let parameterValue = try? NSRegularExpression(pattern: #"("Value"\s*:\s*)"(?:[^"\\]|\\.)*""#)

    /// An attempt that got no response.
    public func failure(_ error: TransportError, service: AWSService, operation: String) {
        write("<-- \(service.rawValue) \(operation) no response (\(error.kind)): \(error.message)")
    }

    /// "retrying in 1.2s after ThrottlingException (attempt 2 of 3)".
    public func retry(after delay: Duration, reason: String, nextAttempt: Int, of maxAttempts: Int) {
        write("retrying in \(Self.seconds(delay)) after \(reason) (attempt \(nextAttempt) of \(maxAttempts))")
    }

    static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        let tenths = (ms + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }

    static func redactHeader(name: String, value: String) -> String {
        switch name.lowercased() {
        case "authorization":
            // Which key signed is useful when debugging a 403; the signature is not.
            guard value.hasPrefix("AWS4-HMAC-SHA256 "),
                  let credential = value.range(of: "Credential=") else { return "****" }
            let keyID = value[credential.upperBound...].prefix { $0 != "/" && $0 != "," }
            return "AWS4-HMAC-SHA256 Credential=\(keyID.prefix(4))****/..., Signature=****"
        case "x-amz-security-token", "x-aws-ec2-metadata-token", "cookie", "set-cookie":
            return "****"
        default:
            return value
        }
    }

    /// Key names whose values are never shown, compared without regard to case.
    static let secretKeys = ["secretAccessKey", "secretKey", "sessionToken", "token", "password"]

    // Patterns built once; the names are fixed, so building them cannot fail at runtime.
    private static let jsonSecret = try? NSRegularExpression(
        pattern: #"("(?:\#(secretKeys.joined(separator: "|")))"\s*:\s*)"(?:[^"\\]|\\.)*""#,
        options: [.caseInsensitive])
    private static let xmlSecret = try? NSRegularExpression(
        pattern: #"<(\#(secretKeys.joined(separator: "|")))>[^<]*</\1>"#,
        options: [.caseInsensitive])

    /// `{"name": "DB_PASSWORD", "value": "..."}` in container environments and overrides:
    /// the value of a variable whose name looks secret.
    private static let secretEnvironmentValue = try? NSRegularExpression(
        pattern: #"("name"\s*:\s*"[^"]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)[^"]*"\s*,\s*"value"\s*:\s*)"(?:[^"\\]|\\.)*""#,
        options: [.caseInsensitive])

    static let bodyLimit = 64 * 1024

    /// The body as text with secret values replaced by `****`: by the field or variable
    /// they are under, and wherever a value known to be secret (``SecretValues``) appears.
    static func redactBody(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "(empty body)" }
        guard var text = String(validating: body, as: UTF8.self) else { return "(\(body.count) bytes, not UTF-8)" }
        for (regex, template) in [(jsonSecret, "$1\"****\""), (xmlSecret, "<$1>****</$1>"),
                                  (secretEnvironmentValue, "$1\"****\"")] {
            // Better to show nothing than a body whose secrets could not be masked.
            guard let regex else { return "(\(body.count) bytes, not shown)" }
            let range = NSRange(text.startIndex..., in: text)
            text = regex.stringByReplacingMatches(in: text, range: range, withTemplate: template)
        }
        text = SecretValues.mask(text)
        if text.utf8.count > bodyLimit {
            return String(text.prefix(bodyLimit)) + "\n... (\(body.count) bytes in all)"
        }
        return text
    }
}
