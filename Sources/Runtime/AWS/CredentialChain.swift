import Foundation
import Synchronization

/// The AWS CLI's default credential chain.
///
/// In order: keys in the environment (skipped when `--profile` was given, as the AWS CLI
/// does); the profile's `role_arn` with `source_profile` or `credential_source`; a web
/// identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, or the profile's); keys
/// in the credentials file; the profile's `credential_process`; keys in the config
/// file; the container endpoint; EC2 instance metadata (IMDSv2).
///
/// Nothing is read and nothing is sent until `credentials()` is first called. The
/// source that answers is remembered and asked again when its credentials come within
/// five minutes of expiring; concurrent callers share one refresh.
public final class CredentialChain: CredentialsProvider {
    public let settings: AWSSettings
    private let cache: RefreshingCredentials

    /// - Parameters:
    ///   - settings: the resolved profile, region, endpoints and file paths.
    ///   - environment: the process environment, or a test's dictionary.
    ///   - transport: for STS, the container endpoint and instance metadata.
    ///   - now: the clock, for expiry and signing.
    public init(settings: AWSSettings, environment: [String: String], transport: any HTTPTransport,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        let resolver = Resolver(settings: settings, environment: environment, transport: transport, now: now)
        self.cache = RefreshingCredentials(now: now) { try await resolver.fetch() }
    }

    public func credentials() async throws -> AWSCredentials {
        try await cache.credentials()
    }

    /// Walks the chain once, then keeps asking the source that answered.
    private final class Resolver: Sendable {
        let settings: AWSSettings
        let environment: [String: String]
        let transport: any HTTPTransport
        let now: @Sendable () -> Date
        let found = Mutex<CredentialsFetch?>(nil)

        init(settings: AWSSettings, environment: [String: String], transport: any HTTPTransport,
             now: @escaping @Sendable () -> Date) {
            self.settings = settings
            self.environment = environment
            self.transport = transport
            self.now = now
        }

        func fetch() async throws -> AWSCredentials {
            if let source = found.withLock({ $0 }) { return try await source() }
            let (source, credentials) = try await walk()
            found.withLock { $0 = source }
            return credentials
        }

        private func answer(_ fetch: @escaping CredentialsFetch) async throws -> (CredentialsFetch, AWSCredentials) {
            (fetch, try await fetch())
        }

        private func walk() async throws -> (CredentialsFetch, AWSCredentials) {
            var looked: [String] = []
            let name = settings.profile

            if settings.profileFromOption {
                looked.append("\(EnvironmentCredentials.lookedAt): skipped because --profile was given")
            } else if let keys = try EnvironmentCredentials.load(environment: environment) {
                return ({ keys }, keys)
            } else {
                looked.append("\(EnvironmentCredentials.lookedAt): not set")
            }

            let configFile = try load(settings.configFilePath, .config)
            let credentialsFile = try load(settings.credentialsFilePath, .credentials)
            let profile = ProfileCredentials(configFile: configFile, credentialsFile: credentialsFile,
                                             settings: settings, environment: environment,
                                             transport: transport, now: now)

            if let fetch = profile.assumeRole(profile: name) { return try await answer(fetch) }
            if let fetch = try profile.webIdentity(profile: name, useEnvironment: !settings.profileFromOption) {
                return try await answer(fetch)
            }
            looked.append(settings.profileFromOption
                ? "web identity: no web_identity_token_file in profile '\(name)' (AWS_WEB_IDENTITY_TOKEN_FILE is ignored with --profile)"
                : "web identity (AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN): not set")
            if let keys = try profile.staticKeys(profile: name, in: credentialsFile) { return ({ keys }, keys) }
            if let fetch = profile.process(profile: name) { return try await answer(fetch) }
            if let keys = try profile.staticKeys(profile: name, in: configFile) { return ({ keys }, keys) }
            if let error = profile.ssoError(profile: name) { throw error }
            looked.append("profile '\(name)': no aws_access_key_id, role_arn or credential_process in "
                          + describe(credentialsFile, settings.credentialsFilePath, name) + " or "
                          + describe(configFile, settings.configFilePath, name))

            if let container = try ContainerCredentials(environment: environment, transport: transport) {
                return try await answer { try await container.fetch() }
            }
            looked.append("\(ContainerCredentials.lookedAt): not set")

            if InstanceMetadataCredentials.isDisabled(environment: environment) {
                looked.append("instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
            } else {
                let metadata = try InstanceMetadataCredentials(environment: environment, transport: transport)
                do {
                    return try await answer { try await metadata.fetch() }
                } catch let error as CredentialsError where error.kind == .notFound {
                    looked.append(error.message)
                }
            }

            throw CredentialsError(.notFound,
                "No AWS credentials found. Looked at:\n"
                + looked.map { "  - \($0)\n" }.joined()
                + "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, or name a profile with --profile.\n"
                + CredentialsError.localHint)
        }

        private func load(_ path: String, _ kind: SharedConfigFile.Kind) throws -> SharedConfigFile? {
            do {
                return try SharedConfigFile.load(path: path, kind: kind)
            } catch let error as SharedConfigFile.ParseError {
                throw CredentialsError(.invalidConfiguration, error.description)
            }
        }

        private func describe(_ file: SharedConfigFile?, _ path: String, _ profile: String) -> String {
            guard let file else { return "\(path) (no such file)" }
            return file.profiles[profile] == nil ? "\(path) (no such profile there)" : path
        }
    }
}
