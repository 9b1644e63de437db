import Foundation

/// Credentials from the ECS task role or EKS Pod Identity agent:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on http://169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with an `Authorization` header from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch: it is rotated) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
struct ContainerCredentials: Sendable {
    static let relativeBase = "http://169.254.170.2"
    static let lookedAt = "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI)"
    /// Plain-HTTP hosts a full URI may name, as botocore allows: the ECS and EKS agents.
    static let allowedHTTPHosts: Set<String> = ["localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    var url: URL
    var tokenFile: String?
    var token: String?
    var transport: any HTTPTransport
    var timeout: Duration = .seconds(2)
    var attempts = 3

    /// The source, or nil when neither URI variable is set. Throws on a URI that is not
    /// allowed: a full URI over plain HTTP must name a loopback or container-agent host.
    init?(environment: [String: String], transport: any HTTPTransport) throws(CredentialsError) {
        if let relative = AWSSettings.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            guard let url = URL(string: Self.relativeBase + path) else {
                throw CredentialsError(.invalidConfiguration,
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '\(relative)' does not make a URL")
            }
            self.url = url
        } else if let full = AWSSettings.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host else {
                throw CredentialsError(.invalidConfiguration,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' is not a URL")
            }
            guard scheme == "https" || (scheme == "http" && Self.isAllowedHTTPHost(host)) else {
                throw CredentialsError(.invalidConfiguration,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' must use https, or http to a loopback address or the container agent")
            }
            self.url = url
        } else {
            return nil
        }
        self.tokenFile = AWSSettings.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"])
        self.token = AWSSettings.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        self.transport = transport
    }

    static func isAllowedHTTPHost(_ host: String) -> Bool {
        let host = host.lowercased()
        if allowedHTTPHosts.contains(host) || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    func fetch() async throws -> AWSCredentials {
        var request = HTTPRequest(method: "GET", url: url, headers: [(name: "Accept", value: "application/json")])
        if let authorization = try authorization() {
            request.headers.append((name: "Authorization", value: authorization))
        }
        let endpoint = url.absoluteString
        var lastProblem = ""
        for attempt in 1...max(1, attempts) {
            let response: HTTPResponse
            do {
                response = try await transport.send(request, timeout: timeout)
            } catch let error as TransportError {
                lastProblem = "no response (\(error.message))"
                continue
            }
            if response.status >= 500 && attempt < attempts {
                lastProblem = "HTTP \(response.status)"
                continue
            }
            guard response.status == 200 else {
                let message = Self.errorMessage(response.body)
                throw CredentialsError(.sourceFailed,
                    "container credentials endpoint \(endpoint) answered HTTP \(response.status)\(message.map { ": \($0)" } ?? "")")
            }
            guard let document = CredentialsDocument.decode(response.body) else {
                throw CredentialsError(.sourceFailed,
                    "container credentials endpoint \(endpoint) returned something that is not a credentials JSON document")
            }
            return try document.credentials(source: "container credentials").get()
        }
        throw CredentialsError(.sourceFailed, "container credentials endpoint \(endpoint): \(lastProblem)")
    }

    private func authorization() throws -> String? {
        var value: String?
        if let tokenFile {
            do {
                value = try String(contentsOfFile: tokenFile, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CredentialsError(.sourceFailed,
                    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile) (\(error.localizedDescription))")
            }
        } else {
            value = token
        }
        // A line break would let the token smuggle in another header.
        if let value, value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw CredentialsError(.invalidConfiguration,
                "the container authorization token contains a line break; check \(tokenFile ?? "AWS_CONTAINER_AUTHORIZATION_TOKEN")")
        }
        return value
    }

    /// The `message` of an error body like `{"code": ..., "message": ...}`, if there is one.
    private static func errorMessage(_ body: [UInt8]) -> String? {
        struct Body: Decodable { var message: String?; var Message: String? }
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(body))
        return decoded?.message ?? decoded?.Message
    }
}
