import Foundation

/// The AWS flags given on the command line: `--region`, `--profile`, `--endpoint-url`.
public struct AWSOptions: Sendable, Equatable {
    public var region: String?
    public var profile: String?
    public var endpointURL: String?

    public init(region: String? = nil, profile: String? = nil, endpointURL: String? = nil) {
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
    }
}

/// Profile, region, endpoints and retry knobs, resolved from flags, the environment and
/// the shared config files in the AWS CLI's order.
public struct AWSSettings: Sendable {
    /// Why the settings could not be resolved.
    public struct ResolutionError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The profile in use: `--profile`, then `AWS_PROFILE`, then `default`.
    public let profile: String
    /// True when the profile came from `--profile`; it then wins over keys in the environment.
    public let profileFromOption: Bool
    /// True when the profile was named by `--profile` or `AWS_PROFILE`; it must then exist.
    public let profileExplicit: Bool
    /// `--region`, then the config's `region` (ecspresso.yml's, passed as `fallbackRegion`),
    /// then `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`; nil when none says.
    /// ecspresso v2 loads its AWS config WithRegion(config.region), so the config wins over
    /// the environment and the profile.
    public let region: String?
    /// `AWS_RETRY_MODE`, then the profile's `retry_mode`; unvalidated.
    public let retryMode: String?
    /// `AWS_MAX_ATTEMPTS`, then the profile's `max_attempts`; unvalidated.
    public let maxAttempts: String?
    /// `AWS_CONFIG_FILE` or `$HOME/.aws/config`.
    public let configFilePath: String
    /// `AWS_SHARED_CREDENTIALS_FILE` or `$HOME/.aws/credentials`.
    public let credentialsFilePath: String
    /// The config file as read when the settings were resolved; nil when there is none.
    public let configFile: SharedConfigFile?

    let options: AWSOptions
    let environment: [String: String]
    /// The profile's keys, the credentials file's over the config file's as botocore merges them.
    let profileSection: SharedConfigFile.Section

    /// Resolves the settings. Reads both shared files (a missing file is fine) and throws
    /// when one is malformed or when a profile named by `--profile` or `AWS_PROFILE`
    /// exists in neither.
    public static func resolve(options: AWSOptions, environment: [String: String],
                               fallbackRegion: String? = nil) throws -> AWSSettings {
        let paths = filePaths(environment: environment)
        let config = try SharedConfigFile.load(path: paths.config, kind: .config)
        let credentials = try SharedConfigFile.load(path: paths.credentials, kind: .credentials)

        let optionProfile = nonEmpty(options.profile)
        let named = optionProfile ?? nonEmpty(environment["AWS_PROFILE"])
        let profile = named ?? "default"
        let fromConfig = config?.profiles[profile]
        let fromCredentials = credentials?.profiles[profile]
        if named != nil && fromConfig == nil && fromCredentials == nil {
            throw ResolutionError(
                "profile '\(profile)' not found in \(paths.credentials) or \(paths.config); "
                + "check the name given by \(optionProfile != nil ? "--profile" : "AWS_PROFILE") or add a [profile \(profile)] section")
        }
        var section = fromConfig ?? SharedConfigFile.Section()
        if let fromCredentials {
            section.values.merge(fromCredentials.values) { _, b in b }
            section.nested.merge(fromCredentials.nested) { _, b in b }
        }

        let region = nonEmpty(options.region) ?? nonEmpty(fallbackRegion) ?? nonEmpty(environment["AWS_REGION"])
            ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? section["region"]
        return AWSSettings(
            profile: profile,
            profileFromOption: optionProfile != nil,
            profileExplicit: named != nil,
            region: region,
            retryMode: nonEmpty(environment["AWS_RETRY_MODE"]) ?? section["retry_mode"],
            maxAttempts: nonEmpty(environment["AWS_MAX_ATTEMPTS"]) ?? section["max_attempts"],
            configFilePath: paths.config,
            credentialsFilePath: paths.credentials,
            configFile: config,
            options: options,
            environment: environment,
            profileSection: section)
    }

    /// Where the service is reached: `--endpoint-url`, `AWS_ENDPOINT_URL_<SERVICE>`,
    /// `AWS_ENDPOINT_URL`, the profile's `services` section, the profile's `endpoint_url`,
    /// then the service's public endpoint in the region.
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
    /// `ignore_configured_endpoint_urls`) skips the environment and the profile.
    public func endpoint(for service: AWSService) throws -> URL {
        if let url = try configuredEndpoint(for: service, usingCommandLine: true) { return url }
        guard let region else {
            throw ResolutionError(
                "no AWS region: pass --region, set AWS_REGION, or set region in profile \(profile) / ecspresso.yml")
        }
        return try Self.parseEndpoint(service.defaultEndpoint(region: region), from: "region '\(region)'")
    }

    /// The endpoint set by a flag, the environment or the profile; nil when the service's
    /// public endpoint applies. `usingCommandLine: false` leaves `--endpoint-url` out, for
    /// the STS calls of the credential chain: as with the AWS CLI, the flag names the
    /// endpoint of the commands' services, not the one credentials come from.
    func configuredEndpoint(for service: AWSService, usingCommandLine: Bool) throws -> URL? {
        if usingCommandLine, let url = Self.nonEmpty(options.endpointURL) {
            return try Self.parseEndpoint(url, from: "--endpoint-url")
        }
        if !ignoresConfiguredEndpoints {
            let specific = "AWS_ENDPOINT_URL_\(service.endpointEnvironmentID)"
            if let url = Self.nonEmpty(environment[specific]) {
                return try Self.parseEndpoint(url, from: specific)
            }
            if let url = Self.nonEmpty(environment["AWS_ENDPOINT_URL"]) {
                return try Self.parseEndpoint(url, from: "AWS_ENDPOINT_URL")
            }
            if let name = profileSection["services"] {
                guard let services = configFile?.services[name] else {
                    throw ResolutionError(
                        "profile '\(profile)' names services section '\(name)', which is not in \(configFilePath); "
                        + "add a [services \(name)] section or remove the 'services' setting")
                }
                let key = service.endpointEnvironmentID.lowercased()
                if let url = services.nested[key]?["endpoint_url"].flatMap(Self.nonEmpty) {
                    return try Self.parseEndpoint(url, from: "[services \(name)] \(key).endpoint_url in \(configFilePath)")
                }
            }
            if let url = profileSection["endpoint_url"] {
                return try Self.parseEndpoint(url, from: "endpoint_url of profile '\(profile)'")
            }
        }
        return nil
    }

    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, then the profile's setting.
    var ignoresConfiguredEndpoints: Bool {
        let value = Self.nonEmpty(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"])
            ?? profileSection["ignore_configured_endpoint_urls"]
        return value?.lowercased() == "true"
    }

    static func filePaths(environment: [String: String]) -> (config: String, credentials: String) {
        let home = nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst(1) }
            return path
        }
        let config = nonEmpty(environment["AWS_CONFIG_FILE"]).map(expand) ?? home + "/.aws/config"
        let credentials = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]).map(expand) ?? home + "/.aws/credentials"
        return (config, credentials)
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    static func parseEndpoint(_ text: String, from origin: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            throw ResolutionError(
                "endpoint URL '\(text)' from \(origin) is not an http:// or https:// URL with a host")
        }
        return url
    }
}
