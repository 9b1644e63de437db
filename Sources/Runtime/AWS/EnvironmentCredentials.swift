/// Keys in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
enum EnvironmentCredentials {
    /// The keys, nil when neither variable is set; throws when only one of the pair is.
    static func load(environment: [String: String]) throws(CredentialsError) -> AWSCredentials? {
        let id = AWSSettings.nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = AWSSettings.nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (id, secret) {
        case (nil, nil):
            return nil
        case let (id?, secret?):
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                                  sessionToken: AWSSettings.nonEmpty(environment["AWS_SESSION_TOKEN"]),
                                  source: "environment")
        case (nil, _?):
            throw CredentialsError(.invalidConfiguration,
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or unset both to use a profile")
        case (_?, nil):
            throw CredentialsError(.invalidConfiguration,
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset both to use a profile")
        }
    }

    static let lookedAt = "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
}
