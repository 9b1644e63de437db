import Foundation

/// The two STS calls the credential chain makes, over STS's query protocol: a
/// form-encoded POST answered with XML.
public struct STSClient: Sendable {
    public var transport: any HTTPTransport
    public var endpoint: URL
    /// The SigV4 signing region of `AssumeRole`.
    public var region: String
    public var timeout: Duration
    public var now: @Sendable () -> Date
    /// botocore's rules for STS: transient failures and throttling are tried again, and so
    /// is `IDPCommunicationError` (the identity provider did not answer STS in time).
    public var retry: RetryPolicy
    public var sleeper: @Sendable (Duration) async throws -> Void

    public init(transport: any HTTPTransport, endpoint: URL, region: String,
                timeout: Duration = .seconds(10), now: @escaping @Sendable () -> Date = Date.init,
                retry: RetryPolicy = .standard(),
                sleeper: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.transport = transport
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout
        self.now = now
        self.retry = retry
        self.sleeper = sleeper
    }

    /// `AssumeRole`, signed with `credentials`.
    public func assumeRole(roleARN: String, sessionName: String, externalID: String? = nil,
                           durationSeconds: Int? = nil, credentials: AWSCredentials) async throws -> AWSCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                          ("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let request = SigV4(region: region, service: AWSService.sts.signingName)
            .sign(formRequest(parameters), credentials: credentials, date: now())
        return try await call("AssumeRole", request, source: "role \(roleARN)")
    }

    /// `AssumeRoleWithWebIdentity`, which STS takes unsigned: the token is the proof.
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String,
                                          webIdentityToken: String) async throws -> AWSCredentials {
        let request = formRequest([("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"),
                                   ("RoleArn", roleARN), ("RoleSessionName", sessionName),
                                   ("WebIdentityToken", webIdentityToken)])
        return try await call("AssumeRoleWithWebIdentity", request, source: "web identity role \(roleARN)")
    }

    private func formRequest(_ parameters: [(String, String)]) -> HTTPRequest {
        let body = parameters.map { "\(SigV4.uriEncode($0.0))=\(SigV4.uriEncode($0.1))" }.joined(separator: "&")
        var url = endpoint
        if var parts = URLComponents(url: endpoint, resolvingAgainstBaseURL: false), parts.path.isEmpty {
            parts.path = "/"
            url = parts.url ?? endpoint
        }
        return HTTPRequest(method: "POST", url: url,
                           headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
                           body: Array(body.utf8))
    }

    /// Sends the request, again after a failure worth retrying, up to the policy's
    /// attempts. A signed request stays valid for minutes, longer than any backoff.
    private func send(_ operation: String, _ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            let failure: any Error
            do {
                let response = try await transport.send(request, timeout: timeout)
                guard !(200..<300).contains(response.status) else { return response }
                failure = Self.error(operation, response)
            } catch let error as TransportError {
                failure = error
            }
            guard attempt < retry.maxAttempts, Self.isRetryable(failure) else { throw failure }
            try await sleeper(retry.delay(afterAttempt: attempt, random: Double.random(in: 0...1)))
            attempt += 1
        }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        if let e = error as? AWSError, e.code == "IDPCommunicationError" { return true }
        return RetryPolicy.isRetryable(error)
    }

    static func error(_ operation: String, _ response: HTTPResponse) -> AWSError {
        let xml = String(decoding: response.body, as: UTF8.self)
        return AWSError(code: element("Code", in: xml) ?? "HTTP\(response.status)",
                        message: element("Message", in: xml) ?? "",
                        status: response.status,
                        requestID: element("RequestId", in: xml) ?? response.header("x-amzn-requestid"),
                        service: .sts, operation: operation)
    }

    private func call(_ operation: String, _ request: HTTPRequest, source: String) async throws -> AWSCredentials {
        let response: HTTPResponse
        do {
            response = try await send(operation, request)
        } catch let error as TransportError {
            throw CredentialsError(.sourceFailed,
                "\(operation) for \(source): no response from \(endpoint.absoluteString) (\(error.message))")
        } catch let error as AWSError {
            throw CredentialsError(.sourceFailed, "\(operation) for \(source) failed: \(error)")
        }
        let xml = String(decoding: response.body, as: UTF8.self)
        guard let block = Self.element("Credentials", in: xml),
              let id = Self.element("AccessKeyId", in: block),
              let secret = Self.element("SecretAccessKey", in: block) else {
            throw CredentialsError(.sourceFailed,
                "\(operation) for \(source): the response from \(endpoint.absoluteString) has no Credentials")
        }
        var expiration: Date?
        if let text = Self.element("Expiration", in: block) {
            expiration = CredentialsDocument.parseTimestamp(text)
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                              sessionToken: Self.element("SessionToken", in: block),
                              expiration: expiration, source: source)
    }

    /// The text of the first `<name>` element (attributes allowed), entities decoded.
    /// STS responses are flat and regular enough that this is all the XML needed.
    static func element(_ name: String, in xml: String) -> String? {
        var searchFrom = xml.startIndex
        while let open = xml.range(of: "<\(name)", range: searchFrom..<xml.endIndex) {
            guard open.upperBound < xml.endIndex else { return nil }
            let next = xml[open.upperBound]
            guard next == ">" || next == " " || next == "\t" || next == "\n" || next == "\r" else {
                searchFrom = open.upperBound
                continue
            }
            guard let tagEnd = xml.range(of: ">", range: open.upperBound..<xml.endIndex) else { return nil }
            if xml[xml.index(before: tagEnd.lowerBound)] == "/" { return "" }
            guard let close = xml.range(of: "</\(name)>", range: tagEnd.upperBound..<xml.endIndex) else { return nil }
            return decodeEntities(String(xml[tagEnd.upperBound..<close.lowerBound]))
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
