import Foundation

/// The instance role's credentials from EC2 instance metadata, IMDSv2: a session token
/// from `PUT /latest/api/token`, then the role name and its credentials.
///
/// Off an EC2 instance nothing answers, so every request has a one-second timeout and
/// none is retried: a laptop without credentials learns so at once. Disabled by
/// `AWS_EC2_METADATA_DISABLED=true`.
struct InstanceMetadataCredentials: Sendable {
    static let defaultBase = "http://169.254.169.254"
    static let ipv6Base = "http://[fd00:ec2::254]"
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    var base: URL
    var transport: any HTTPTransport
    var timeout: Duration = .seconds(1)

    /// True when `AWS_EC2_METADATA_DISABLED` is `true`.
    static func isDisabled(environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
    }

    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, or the IPv4 (or, by
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`, IPv6) link-local address.
    init(environment: [String: String], transport: any HTTPTransport) throws(CredentialsError) {
        var text = Self.defaultBase
        if let configured = AWSSettings.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) {
            text = configured
        } else if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
            text = Self.ipv6Base
        }
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), url.host != nil else {
            throw CredentialsError(.invalidConfiguration,
                "AWS_EC2_METADATA_SERVICE_ENDPOINT '\(text)' is not a URL")
        }
        self.base = url
        self.transport = transport
    }

    /// The credentials; throws `CredentialsError` of kind `.notFound` when the service does
    /// not answer or the instance has no role, so the chain can report where it looked.
    func fetch() async throws -> AWSCredentials {
        func url(_ path: String) -> URL { URL(string: base.absoluteString + path) ?? base }
        func notFound(_ why: String) -> CredentialsError {
            CredentialsError(.notFound, "instance metadata at \(base.absoluteString): \(why)")
        }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            do {
                return try await transport.send(request, timeout: timeout)
            } catch let error as TransportError {
                throw notFound("no response (\(error.message))")
            }
        }

        var headers: [(name: String, value: String)] = []
        let tokenResponse = try await send(HTTPRequest(
            method: "PUT", url: url("/latest/api/token"),
            headers: [(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")]))
        switch tokenResponse.status {
        case 200:
            let token = String(decoding: tokenResponse.body, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            headers.append((name: "X-aws-ec2-metadata-token", value: token))
        case 403, 404, 405:
            break  // IMDSv1 only, or a proxy that does not pass PUT: go on without a token, as botocore does
        default:
            throw notFound("HTTP \(tokenResponse.status) for a session token")
        }

        let roles = try await send(HTTPRequest(method: "GET", url: url(Self.credentialsPath), headers: headers))
        guard roles.status == 200 else {
            throw notFound(roles.status == 404 ? "the instance has no IAM role" : "HTTP \(roles.status) listing the role")
        }
        guard let role = String(decoding: roles.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !role.isEmpty else {
            throw notFound("the instance has no IAM role")
        }
        let escaped = role.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? role
        let document = try await send(HTTPRequest(method: "GET", url: url(Self.credentialsPath + escaped), headers: headers))
        guard document.status == 200 else {
            throw notFound("HTTP \(document.status) for the credentials of role \(role)")
        }
        guard let decoded = CredentialsDocument.decode(document.body) else {
            throw CredentialsError(.sourceFailed,
                "instance metadata at \(base.absoluteString) returned credentials for role \(role) that are not JSON")
        }
        if let code = decoded.Code, code != "Success" {
            throw CredentialsError(.sourceFailed,
                "instance metadata at \(base.absoluteString) reports code \(code) for role \(role)")
        }
        return try decoded.credentials(source: "instance metadata role \(role)").get()
    }
}
