import Foundation

/// Calls awsJson1_1 operations (ECS, CloudWatch Logs): builds the request, signs every
/// attempt afresh, retries what is worth retrying, and decodes errors.
///
/// A retry sends the very same body bytes: RunTask's `clientToken` lives in the body, so
/// a RunTask whose response was lost is retried with the same token and launches nothing
/// twice.
public final class AWSClient: Sendable {
    /// How long to wait for the network.
    public struct Timeouts: Sendable, Equatable {
        /// For opening a connection. The transport applies it (`AsyncHTTPTransport(connectTimeout:)`);
        /// it is kept here so whoever builds both reads it from one place.
        public var connect: Duration
        /// For one attempt, from sending to the whole response.
        public var request: Duration

        public init(connect: Duration = .seconds(10), request: Duration = .seconds(60)) {
            self.connect = connect
            self.request = request
        }
    }

    /// A response body that is not the shape the operation promises.
    public struct ResponseDecodingError: Error, Sendable, CustomStringConvertible {
        public var service: AWSService
        public var operation: String
        public var detail: String

        public var description: String {
            "\(operation): the \(service.rawValue) response could not be read: \(detail). "
                + "The endpoint may not be a real \(service.rawValue) endpoint; run with --debug to see the response."
        }
    }

    /// A client asked to do what its setup does not allow.
    public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let region: String
    public let endpoints: [AWSService: URL]
    public let retry: RetryPolicy
    public let timeouts: Timeouts
    private let credentials: any CredentialsProvider
    private let transport: any HTTPTransport
    private let debug: DebugLog?
    private let sleeper: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let quota = RetryQuota()
    private let limiter: RetryRateLimiter?

    /// - Parameters:
    ///   - endpoints: per service; a service missing here uses `defaultEndpoint(region:)`.
    ///   - sleeper: waits between attempts; tests pass one that returns at once.
    ///   - now: the clock for signing dates and the adaptive rate limiter.
    ///   - random: uniform in `0..<1`, for backoff jitter.
    public init(region: String, endpoints: [AWSService: URL], credentials: any CredentialsProvider,
                transport: any HTTPTransport, retry: RetryPolicy = .standard(), timeouts: Timeouts = Timeouts(),
                debug: DebugLog? = nil,
                sleeper: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = { Date() },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.region = region
        self.endpoints = endpoints
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.timeouts = timeouts
        self.debug = debug
        self.sleeper = sleeper
        self.now = now
        self.random = random
        self.limiter = retry.mode == .adaptive ? RetryRateLimiter(now: now) : nil
    }

    /// The same client (credentials, transport, retries, `--debug`) for another region:
    /// public endpoints move to that region, configured ones (`--endpoint-url`) stay.
    public func inRegion(_ other: String) -> AWSClient {
        var moved: [AWSService: URL] = [:]
        for (service, url) in endpoints {
            let isDefault = url.absoluteString.trimmingCharacters(in: ["/"]) == service.defaultEndpoint(region: region)
            moved[service] = isDefault ? URL(string: service.defaultEndpoint(region: other)) : url
        }
        return AWSClient(region: other, endpoints: moved, credentials: credentials, transport: transport, retry: retry,
                         timeouts: timeouts, debug: debug, sleeper: sleeper, now: now, random: random)
    }

    /// The URL requests for `service` go to: its endpoint, with path `/` unless the
    /// endpoint has a path of its own.
    public func url(for service: AWSService) throws -> URL {
        let base = endpoints[service] ?? URL(string: service.defaultEndpoint(region: region))
        guard let base, var parts = URLComponents(url: base, resolvingAgainstBaseURL: false),
              parts.host?.isEmpty == false else {
            throw ConfigurationError(message: "the endpoint for \(service.rawValue) (\(base?.absoluteString ?? "?")) "
                + "is not a valid URL: give one like https://\(service.signingName).\(region).amazonaws.com")
        }
        if parts.path.isEmpty { parts.path = "/" }
        guard let url = parts.url else {
            throw ConfigurationError(message: "the endpoint for \(service.rawValue) (\(base.absoluteString)) "
                + "is not a valid URL: give one like https://\(service.signingName).\(region).amazonaws.com")
        }
        return url
    }

    /// Calls `operation` with a JSON body and returns the response body of a 2xx answer.
    ///
    /// Throws `AWSError` for an error answer (after retries), `TransportError` when no
    /// answer came (after retries), the credentials provider's errors unchanged, and
    /// `CancellationError` when the task is cancelled.
    public func call(_ service: AWSService, _ operation: String, body: [UInt8]) async throws -> [UInt8] {
        try await send(service, operation, try unsignedRequest(service, operation, body: body)).body
    }

    /// Signs and sends `unsigned` (any protocol: S3's REST GETs too), with the retries,
    /// credentials and `--debug` log of every call; returns the 2xx response.
    public func send(_ service: AWSService, _ operation: String, _ unsigned: HTTPRequest) async throws -> HTTPResponse {
        let signer = SigV4(region: region, service: service.signingName)
        var attempt = 0
        var spentOnRetry: Int?
        while true {
            attempt += 1
            try Task.checkCancellation()
            if let limiter {
                let wait = limiter.acquire()
                if wait > .zero {
                    debug?.note("waiting \(DebugLog.seconds(wait)) for the client-side rate limiter (adaptive retry mode)")
                    try await sleeper(wait)
                }
            }
            let keys = try await credentials.credentials()
            try Task.checkCancellation()
            let signed = signer.sign(unsigned, credentials: keys, date: now())
            debug?.request(signed, service: service, operation: operation, attempt: attempt, of: retry.maxAttempts)

            let failure: any Error
            do {
                let response = try await transport.send(signed, timeout: timeouts.request)
                debug?.response(response, service: service, operation: operation)
                if let error = ErrorDecoding.decode(response, service: service, operation: operation) {
                    limiter?.record(throttled: RetryPolicy.isThrottling(error))
                    failure = error
                } else {
                    limiter?.record(throttled: false)
                    quota.release(spentOnRetry)
                    return response
                }
            } catch let error as TransportError {
                // A transport that noticed cancellation may report it as a broken connection.
                try Task.checkCancellation()
                debug?.failure(error, service: service, operation: operation)
                limiter?.record(throttled: false)
                failure = error
            }

            guard RetryPolicy.isRetryable(failure), attempt < retry.maxAttempts,
                  let cost = quota.acquire(after: failure) else {
                throw finalError(failure, service: service, url: unsigned.url, attempts: attempt)
            }
            spentOnRetry = cost
            let delay = retry.delay(afterAttempt: attempt, random: random())
            debug?.retry(after: delay, reason: Self.reason(failure), nextAttempt: attempt + 1, of: retry.maxAttempts)
            try await sleeper(delay)
        }
    }

    /// Calls `operation` with `request` encoded as JSON and decodes the answer as `Response`.
    /// Dates travel as epoch seconds, as AWS's JSON protocols write them.
    public func call<Request: Encodable, Response: Decodable>(
        _ service: AWSService, _ operation: String, _ request: Request, as: Response.Type
    ) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(request)
        let answer = try await call(service, operation, body: Array(body))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(Response.self, from: Data(answer.isEmpty ? Array("{}".utf8) : answer))
        } catch let error as DecodingError {
            throw ResponseDecodingError(service: service, operation: operation, detail: Self.explain(error))
        }
    }

    func unsignedRequest(_ service: AWSService, _ operation: String, body: [UInt8]) throws -> HTTPRequest {
        guard let prefix = service.targetPrefix else {
            throw ConfigurationError(message: "\(operation): \(service.rawValue) does not speak the awsJson1_1 protocol")
        }
        return HTTPRequest(method: "POST", url: try url(for: service), headers: [
            (name: "Content-Type", value: "application/x-amz-json-1.1"),
            (name: "X-Amz-Target", value: "\(prefix).\(operation)"),
            (name: "User-Agent", value: "ecsh/0.1"),
        ], body: body.isEmpty ? Array("{}".utf8) : body)
    }

    private func finalError(_ error: any Error, service: AWSService, url: URL, attempts: Int) -> any Error {
        guard let transportError = error as? TransportError else { return error }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return TransportError(transportError.kind,
                              "no response from \(url.absoluteString) after \(tries): \(transportError.message)")
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let e as AWSError: return e.code
        case let e as TransportError:
            switch e.kind {
            case .connect: return "a connection failure"
            case .dropped: return "a dropped connection"
            case .timeout: return "a timeout"
            }
        default: return String(describing: error)
        }
    }

    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the top level" : String(p.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "the field \(key.stringValue) is missing\(at)"
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null where a \(type) was expected"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
