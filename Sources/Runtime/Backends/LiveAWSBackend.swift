import Foundation

extension AWSClient: AWSCaller {}

extension AWSBackend {
    /// The real thing: settings from flags, environment and the AWS CLI's files, the
    /// credential chain, one HTTP client. Nothing here touches the network; the first
    /// call does.
    public static func live(options: SessionOptions, fallbackRegion: String?, transport: any HTTPTransport,
                            debug: DebugLog?) throws -> AWSBackend {
        let settings = try AWSSettings.resolve(
            options: AWSOptions(region: options.region, profile: options.profile, endpointURL: options.endpointURL),
            environment: options.environment, fallbackRegion: fallbackRegion)
        guard let region = settings.region else {
            throw AWSSetupError("no AWS region: pass --region, set AWS_REGION, set region in profile '\(settings.profile)', or region in ecspresso.yml (or use --local to run tasks as local processes)")
        }
        let retry = try RetryPolicy.resolve(mode: settings.retryMode, maxAttempts: settings.maxAttempts)
        var endpoints: [AWSService: URL] = [:]
        for service in AWSService.allCases { endpoints[service] = try settings.endpoint(for: service) }
        let chain = CredentialChain(settings: settings, environment: options.environment, transport: transport)
        var credentials: any CredentialsProvider = chain
        if let role = options.assumeRoleARN, !role.isEmpty {
            // As ecspresso's --assume-role-arn: AssumeRole with the chain's keys, through
            // the STS endpoint the commands use, renewed before it expires.
            let sts = STSClient(transport: transport, endpoint: try settings.endpoint(for: .sts), region: region)
            credentials = RefreshingCredentials {
                try await sts.assumeRole(roleARN: role, sessionName: "ecsh-\(Int(Date().timeIntervalSince1970))",
                                         credentials: try await chain.credentials())
            }
        }
        let client = AWSClient(region: region, endpoints: endpoints, credentials: credentials, transport: transport,
                               retry: retry, debug: debug)
        return AWSBackend(caller: client)
    }
}

/// The AWS settings cannot make a working client.
public struct AWSSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
