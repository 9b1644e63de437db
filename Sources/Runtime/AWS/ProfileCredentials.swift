import Foundation

/// Gets credentials once more; what the chain keeps of the source that answered, so a
/// refresh asks the same source again.
typealias CredentialsFetch = @Sendable () async throws -> AWSCredentials

/// What a profile of the shared files provides: a role to assume (`role_arn` with
/// `source_profile` or `credential_source`), a web identity, static keys, or a
/// `credential_process`.
struct ProfileCredentials: Sendable {
    var configFile: SharedConfigFile?
    var credentialsFile: SharedConfigFile?
    var settings: AWSSettings
    var environment: [String: String]
    var transport: any HTTPTransport
    var now: @Sendable () -> Date

    /// A profile's keys, the credentials file's over the config file's (botocore's merge).
    func merged(_ name: String) -> SharedConfigFile.Section? {
        let fromConfig = configFile?.profiles[name]
        let fromCredentials = credentialsFile?.profiles[name]
        guard var section = fromConfig ?? fromCredentials else { return nil }
        if fromConfig != nil, let fromCredentials {
            section.values.merge(fromCredentials.values) { _, b in b }
        }
        return section
    }

    /// botocore's assume-role provider: the profile has `role_arn` and no
    /// `web_identity_token_file` (that combination is the web identity provider's).
    func assumeRole(profile: String) -> CredentialsFetch? {
        guard let section = merged(profile), section["role_arn"] != nil,
              section["web_identity_token_file"] == nil else { return nil }
        return { try await assumeRoleNow(profile: profile, visited: [profile]) }
    }

    /// A web identity from `AWS_WEB_IDENTITY_TOKEN_FILE` / `AWS_ROLE_ARN` /
    /// `AWS_ROLE_SESSION_NAME` (unless `useEnvironment` is false: `--profile` was given),
    /// each falling back to the profile's `web_identity_token_file` / `role_arn` /
    /// `role_session_name`.
    func webIdentity(profile: String, useEnvironment: Bool) throws(CredentialsError) -> CredentialsFetch? {
        let section = merged(profile)
        func value(_ variable: String, _ key: String) -> String? {
            (useEnvironment ? AWSSettings.nonEmpty(environment[variable]) : nil) ?? section?[key]
        }
        guard let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file") else { return nil }
        guard let roleARN = value("AWS_ROLE_ARN", "role_arn") else {
            throw CredentialsError(.invalidConfiguration,
                "a web identity token file is set (\(tokenFile)) but no role: set AWS_ROLE_ARN or role_arn in profile '\(profile)'")
        }
        let source = WebIdentityCredentials(
            tokenFile: tokenFile, roleARN: roleARN,
            sessionName: value("AWS_ROLE_SESSION_NAME", "role_session_name") ?? defaultSessionName(),
            sts: try stsClient())
        return { try await source.fetch() }
    }

    /// `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token` of the profile
    /// in one file.
    func staticKeys(profile: String, in file: SharedConfigFile?) throws(CredentialsError) -> AWSCredentials? {
        guard let file, let section = file.profiles[profile] else { return nil }
        return try Self.staticKeys(section, origin: "profile '\(profile)' in \(file.path)", profile: profile)
    }

    static func staticKeys(_ section: SharedConfigFile.Section, origin: String,
                           profile: String) throws(CredentialsError) -> AWSCredentials? {
        switch (section["aws_access_key_id"], section["aws_secret_access_key"]) {
        case (nil, nil):
            return nil
        case let (id?, secret?):
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                                  sessionToken: section["aws_session_token"], source: "profile \(profile)")
        case (_?, nil):
            throw CredentialsError(.invalidConfiguration,
                "\(origin) has aws_access_key_id but no aws_secret_access_key: add it or remove the key id")
        case (nil, _?):
            throw CredentialsError(.invalidConfiguration,
                "\(origin) has aws_secret_access_key but no aws_access_key_id: add it or remove the secret")
        }
    }

    /// The profile's `credential_process`.
    func process(profile: String) -> CredentialsFetch? {
        guard let command = merged(profile)?["credential_process"] else { return nil }
        let source = ProcessCredentials(command: command, profile: profile, environment: environment)
        return { try await source.fetch() }
    }

    /// A profile configured for IAM Identity Center, which ecsh does not log in to itself.
    func ssoError(profile: String) -> CredentialsError? {
        guard let section = merged(profile), section["sso_session"] != nil || section["sso_start_url"] != nil
        else { return nil }
        return CredentialsError(.invalidConfiguration,
            "profile '\(profile)' uses IAM Identity Center (SSO), which ecsh cannot log in to. Add to it "
            + "`credential_process = aws configure export-credentials --profile \(profile) --format process` "
            + "after `aws sso login --profile \(profile)`")
    }

    /// The profile's own sources, the environment left out: web identity, keys from the
    /// credentials file, `credential_process`, keys from the config file. What a
    /// `source_profile` is asked for.
    func ownSources(profile: String) throws(CredentialsError) -> CredentialsFetch? {
        if let fetch = try webIdentity(profile: profile, useEnvironment: false) { return fetch }
        if let keys = try staticKeys(profile: profile, in: credentialsFile) { return { keys } }
        if let fetch = process(profile: profile) { return fetch }
        if let keys = try staticKeys(profile: profile, in: configFile) { return { keys } }
        if let error = ssoError(profile: profile) { throw error }
        return nil
    }

    // MARK: Assuming a role

    private func assumeRoleNow(profile: String, visited: [String]) async throws -> AWSCredentials {
        guard let section = merged(profile), let roleARN = section["role_arn"] else {
            throw CredentialsError(.invalidConfiguration, "profile '\(profile)' has no role_arn")
        }
        if section["mfa_serial"] != nil {
            throw CredentialsError(.invalidConfiguration,
                "profile '\(profile)' needs an MFA code (mfa_serial), which ecsh cannot prompt for; "
                + "use a credential_process that prompts, or export temporary keys")
        }
        let sourceCredentials: AWSCredentials
        switch (section["source_profile"], section["credential_source"]) {
        case (_?, _?):
            throw CredentialsError(.invalidConfiguration,
                "profile '\(profile)' has both source_profile and credential_source; keep one")
        case (nil, nil):
            throw CredentialsError(.invalidConfiguration,
                "profile '\(profile)' has role_arn but neither source_profile nor credential_source to assume it with")
        case (let sourceProfile?, nil):
            sourceCredentials = try await credentials(ofSourceProfile: sourceProfile, for: profile, visited: visited)
        case (nil, let credentialSource?):
            sourceCredentials = try await credentials(ofCredentialSource: credentialSource, for: profile)
        }

        var durationSeconds: Int?
        if let text = section["duration_seconds"] {
            guard let value = Int(text), value > 0 else {
                throw CredentialsError(.invalidConfiguration,
                    "duration_seconds '\(text)' of profile '\(profile)' is not a positive whole number of seconds")
            }
            durationSeconds = value
        }
        var credentials = try await stsClient().assumeRole(
            roleARN: roleARN, sessionName: section["role_session_name"] ?? defaultSessionName(),
            externalID: section["external_id"], durationSeconds: durationSeconds, credentials: sourceCredentials)
        credentials.source = "profile \(profile) (role \(roleARN))"
        return credentials
    }

    private func credentials(ofSourceProfile name: String, for profile: String,
                             visited: [String]) async throws -> AWSCredentials {
        guard let section = merged(name) else {
            throw CredentialsError(.invalidConfiguration,
                "source_profile '\(name)' of profile '\(profile)' is not in \(settings.credentialsFilePath) or \(settings.configFilePath)")
        }
        let hasKeys = section["aws_access_key_id"] != nil
        if visited.contains(name) {
            // A profile may name itself as its source to assume a role with its own keys.
            if name == profile, hasKeys,
               let keys = try Self.staticKeys(section, origin: "profile '\(name)'", profile: name) {
                return keys
            }
            throw CredentialsError(.invalidConfiguration,
                "source_profile loop: \((visited + [name]).map { "'\($0)'" }.joined(separator: " -> ")); "
                + "one of these profiles needs keys of its own")
        }
        if hasKeys || section["role_arn"] == nil || section["web_identity_token_file"] != nil {
            guard let fetch = try ownSources(profile: name) else {
                throw CredentialsError(.invalidConfiguration,
                    "source_profile '\(name)' of profile '\(profile)' has no credentials: "
                    + "give it aws_access_key_id and aws_secret_access_key, a role_arn, or a credential_process")
            }
            return try await fetch()
        }
        return try await assumeRoleNow(profile: name, visited: visited + [name])
    }

    private func credentials(ofCredentialSource source: String, for profile: String) async throws -> AWSCredentials {
        switch source {
        case "Environment":
            guard let keys = try EnvironmentCredentials.load(environment: environment) else {
                throw CredentialsError(.invalidConfiguration,
                    "profile '\(profile)' has credential_source Environment but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
            }
            return keys
        case "EcsContainer":
            guard let container = try ContainerCredentials(environment: environment, transport: transport) else {
                throw CredentialsError(.invalidConfiguration,
                    "profile '\(profile)' has credential_source EcsContainer but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
            }
            return try await container.fetch()
        case "Ec2InstanceMetadata":
            if InstanceMetadataCredentials.isDisabled(environment: environment) {
                throw CredentialsError(.invalidConfiguration,
                    "profile '\(profile)' has credential_source Ec2InstanceMetadata but AWS_EC2_METADATA_DISABLED is true")
            }
            return try await InstanceMetadataCredentials(environment: environment, transport: transport).fetch()
        default:
            throw CredentialsError(.invalidConfiguration,
                "credential_source '\(source)' of profile '\(profile)' is not one of Environment, EcsContainer, Ec2InstanceMetadata")
        }
    }

    // MARK: STS

    /// STS where the settings point it, else the region's endpoint, else the global one.
    func stsClient() throws(CredentialsError) -> STSClient {
        let endpoint: URL
        do {
            if let configured = try settings.configuredEndpoint(for: .sts, usingCommandLine: false) {
                endpoint = configured
            } else if let region = settings.region {
                endpoint = try AWSSettings.parseEndpoint(AWSService.sts.defaultEndpoint(region: region), from: "region")
            } else {
                endpoint = URL(string: "https://sts.amazonaws.com") ?? URL(fileURLWithPath: "/")
            }
        } catch {
            throw CredentialsError(.invalidConfiguration, "STS endpoint: \(error)")
        }
        // The user's AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, as for every other call; a bad value is reported there.
        let retry = (try? RetryPolicy.resolve(mode: settings.retryMode, maxAttempts: settings.maxAttempts)) ?? .standard()
        return STSClient(transport: transport, endpoint: endpoint, region: settings.region ?? "us-east-1", now: now, retry: retry)
    }

    func defaultSessionName() -> String {
        "ecsh-session-\(Int(now().timeIntervalSince1970))"
    }
}
