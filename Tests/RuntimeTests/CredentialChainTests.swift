import Foundation
import Testing
@testable import Runtime
import TestSupport

/// A temporary directory used as HOME, with `.aws/config` and `.aws/credentials`.
struct TestHome {
    let path: String

    init(config: String? = nil, credentials: String? = nil) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ecsh-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let config { _ = try write(".aws/config", config) }
        if let credentials { _ = try write(".aws/credentials", credentials) }
    }

    /// Writes a file under HOME and returns its path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    /// HOME, with instance metadata off so no test reaches for 169.254.169.254.
    var environment: [String: String] { ["HOME": path, "AWS_EC2_METADATA_DISABLED": "true"] }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func chain(_ options: AWSOptions = .init(), environment: [String: String]? = nil,
               now: @escaping @Sendable () -> Date = Date.init) throws -> CredentialChain {
        let env = environment ?? self.environment
        return CredentialChain(settings: try AWSSettings.resolve(options: options, environment: env),
                               environment: env, transport: SocketTransport(), now: now)
    }
}

@Suite struct CredentialChainTests {
    @Test func environmentKeys() async throws {
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        env["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        env["AWS_SESSION_TOKEN"] = "envtoken"
        let credentials = try await home.chain(environment: env).credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "envsecret",
                                              sessionToken: "envtoken", source: "environment"))
    }

    @Test func environmentWinsOverFilesAndAWSProfile() async throws {
        let home = try TestHome(config: "[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n",
                                credentials: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n")
        defer { home.remove() }
        var env = home.environment
        env["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        env["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        #expect(try await home.chain(environment: env).credentials().accessKeyID == "AKIDENV")
        env["AWS_PROFILE"] = "dev"
        #expect(try await home.chain(environment: env).credentials().accessKeyID == "AKIDENV")
    }

    @Test func profileOptionWinsOverEnvironmentKeys() async throws {
        let home = try TestHome(credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n")
        defer { home.remove() }
        var env = home.environment
        env["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        env["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        let credentials = try await home.chain(.init(profile: "dev"), environment: env).credentials()
        #expect(credentials.accessKeyID == "AKIDDEV")
        #expect(credentials.secretAccessKey == "devsecret")
        #expect(credentials.source == "profile dev")
    }

    @Test func staticKeysOfAConfigProfile() async throws {
        let home = try TestHome(config: """
        [profile x]
        aws_access_key_id = AKIDX
        aws_secret_access_key = xsecret
        aws_session_token = xtoken
        """)
        defer { home.remove() }
        var env = home.environment
        env["AWS_PROFILE"] = "x"
        let credentials = try await home.chain(environment: env).credentials()
        #expect(credentials.accessKeyID == "AKIDX" && credentials.sessionToken == "xtoken")
    }

    @Test func credentialsFileOverConfigFile() async throws {
        let home = try TestHome(config: "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n",
                                credentials: "[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = k\n")
        defer { home.remove() }
        let credentials = try await home.chain().credentials()
        #expect(credentials.accessKeyID == "AKIDCREDS" && credentials.secretAccessKey == "k")
    }

    @Test func credentialProcessSuccess() async throws {
        let home = try TestHome(config: """
        [default]
        credential_process = echo '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2099-01-01T00:00:00Z"}'
        """)
        defer { home.remove() }
        let credentials = try await home.chain().credentials()
        #expect(credentials.accessKeyID == "AKIDPROC")
        #expect(credentials.secretAccessKey == "procsecret")
        #expect(credentials.sessionToken == "proctoken")
        #expect(credentials.expiration == CredentialsDocument.parseTimestamp("2099-01-01T00:00:00Z"))
    }

    @Test func credentialProcessFailureShowsStandardErrorButNotOutput() async throws {
        let home = try TestHome(config: """
        [profile p]
        credential_process = echo '{"SecretAccessKey": "leaked-secret"}'; echo 'session expired, log in again' >&2; exit 1
        """)
        defer { home.remove() }
        await #expect {
            _ = try await home.chain(.init(profile: "p")).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("session expired, log in again") && text.contains("status 1")
                && text.contains("profile 'p'") && !text.contains("leaked-secret")
        }
    }

    @Test func credentialProcessWithBadJSON() async throws {
        let home = try TestHome(config: "[default]\ncredential_process = echo 'AKIDX not-json-secret'\n")
        defer { home.remove() }
        await #expect {
            _ = try await home.chain().credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("did not print a JSON object") && !text.contains("not-json-secret")
        }
    }

    @Test func nothingFoundListsThePlacesAndMentionsLocal() async throws {
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_SESSION_TOKEN"] = "lonely-session-token"
        await #expect {
            _ = try await home.chain(environment: env).credentials()
        } throws: { error in
            guard let error = error as? CredentialsError, error.kind == .notFound else { return false }
            let text = error.description
            return text.contains("AWS_ACCESS_KEY_ID")
                && text.contains("AWS_WEB_IDENTITY_TOKEN_FILE")
                && text.contains("profile 'default'")
                && text.contains(home.path + "/.aws/credentials")
                && text.contains(home.path + "/.aws/config")
                && text.contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                && text.contains("instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
                && text.hasSuffix("Use --local to run tasks as local processes without AWS.")
                && !text.contains("lonely-session-token")
        }
    }

    @Test func halfAKeyPairIsAnErrorWithoutTheSecret() async throws {
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_SECRET_ACCESS_KEY"] = "half-secret"
        await #expect {
            _ = try await home.chain(environment: env).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("AWS_ACCESS_KEY_ID is not") && !text.contains("half-secret")
        }
    }

    @Test func nothingIsReadBeforeTheFirstCall() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write(".aws/config", "[default]\ncredential_process = echo ran >> '\(home.path)/runs'; "
                       + "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n")
        let chain = try home.chain()
        #expect(home.read("runs") == nil)
        _ = try await chain.credentials()
        _ = try await chain.credentials()
        #expect(home.read("runs") == "ran\n")
    }
}
