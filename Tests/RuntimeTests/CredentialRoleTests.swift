import Foundation
import Testing
@testable import Runtime
import TestSupport

@Suite struct CredentialRoleTests {
    static let now = CredentialsDocument.parseTimestamp("2030-01-01T00:00:00Z")!

    static func stsResponse(_ operation: String, id: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [(name: "Content-Type", value: "text/xml")], body: Array("""
        <\(operation)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(operation)Result>
            <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></AssumedRoleUser>
            <Credentials>
              <AccessKeyId>\(id)</AccessKeyId>
              <SecretAccessKey>role/secret+with&amp;chars</SecretAccessKey>
              <SessionToken>roletoken</SessionToken>
              <Expiration>2030-01-01T01:00:00Z</Expiration>
            </Credentials>
          </\(operation)Result>
          <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
        </\(operation)Response>
        """.utf8))
    }

    @Test func assumeRoleWithSourceProfile() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.stsResponse("AssumeRole", id: "ASIAROLE")])
        defer { server.stop() }
        let home = try TestHome(config: """
        [profile dev]
        role_arn = arn:aws:iam::123456789012:role/dev
        source_profile = base
        external_id = ext-42
        role_session_name = me
        duration_seconds = 1800
        region = us-west-2
        """, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n")
        defer { home.remove() }
        var env = home.environment
        env["AWS_PROFILE"] = "dev"
        env["AWS_ENDPOINT_URL_STS"] = server.baseURL.absoluteString
        let credentials = try await home.chain(environment: env, now: { Self.now }).credentials()

        #expect(credentials.accessKeyID == "ASIAROLE")
        #expect(credentials.secretAccessKey == "role/secret+with&chars")
        #expect(credentials.sessionToken == "roletoken")
        #expect(credentials.expiration == Self.now.addingTimeInterval(3600))

        let requests = server.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == "POST" && request.path == "/")
        #expect(request.form["Action"] == "AssumeRole")
        #expect(request.form["Version"] == "2011-06-15")
        #expect(request.form["RoleArn"] == "arn:aws:iam::123456789012:role/dev")
        #expect(request.form["RoleSessionName"] == "me")
        #expect(request.form["ExternalId"] == "ext-42")
        #expect(request.form["DurationSeconds"] == "1800")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDBASE/20300101/us-west-2/sts/aws4_request"))

        // The signature is the one SigV4 computes for exactly what arrived.
        let resent = HTTPRequest(method: "POST", url: server.baseURL.appendingPathComponent("/"),
                                 headers: request.headers.filter { ["content-type", "host"].contains($0.name.lowercased()) },
                                 body: request.body)
        let expected = SigV4(region: "us-west-2", service: "sts")
            .sign(resent, credentials: AWSCredentials(accessKeyID: "AKIDBASE", secretAccessKey: "basesecret"), date: Self.now)
        #expect(expected.header("Authorization") == authorization)
    }

    @Test func chainedRolesAndAPlainSTSError() async throws {
        let server = try LoopbackHTTPServer { request in
            request.form["RoleArn"] == "arn:aws:iam::1:role/outer"
                ? HTTPResponse(status: 403, body: Array("""
                  <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
                  <Message>not allowed to assume outer</Message></Error><RequestId>rid-9</RequestId></ErrorResponse>
                  """.utf8))
                : CredentialRoleTests.stsResponse("AssumeRole", id: "ASIAINNER")
        }
        defer { server.stop() }
        let home = try TestHome(config: """
        [profile outer]
        role_arn = arn:aws:iam::1:role/outer
        source_profile = inner
        [profile inner]
        role_arn = arn:aws:iam::1:role/inner
        source_profile = base
        [profile base]
        aws_access_key_id = AKIDBASE
        aws_secret_access_key = basesecret
        """)
        defer { home.remove() }
        var env = home.environment
        env["AWS_ENDPOINT_URL_STS"] = server.baseURL.absoluteString
        await #expect {
            _ = try await home.chain(.init(profile: "outer"), environment: env, now: { Self.now }).credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("AccessDenied") && text.contains("not allowed to assume outer")
                && text.contains("rid-9") && !text.contains("basesecret") && !text.contains("role/secret")
        }
        let requests = server.requests
        try #require(requests.count == 2)
        #expect(requests[0].header("Authorization")?.contains("Credential=AKIDBASE/") == true)
        #expect(requests[1].header("Authorization")?.contains("Credential=ASIAINNER/") == true)
        #expect(requests[1].header("X-Amz-Security-Token") == "roletoken")
    }

    @Test func sourceProfileLoopIsAnError() async throws {
        let home = try TestHome(config: """
        [profile a]
        role_arn = arn:aws:iam::1:role/a
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::1:role/b
        source_profile = a
        """)
        defer { home.remove() }
        await #expect {
            _ = try await home.chain(.init(profile: "a")).credentials()
        } throws: { error in
            (error as? CredentialsError)?.kind == .invalidConfiguration && "\(error)".contains("'a' -> 'b' -> 'a'")
        }
    }

    @Test func webIdentityFromEnvironment() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.stsResponse("AssumeRoleWithWebIdentity", id: "ASIAWEB")])
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        let tokenFile = try home.write("token", "eyJ.oidc-token.sig\n")
        var env = home.environment
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile
        env["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci"
        env["AWS_ROLE_SESSION_NAME"] = "ci-run"
        env["AWS_ENDPOINT_URL_STS"] = server.baseURL.absoluteString
        let credentials = try await home.chain(environment: env, now: { Self.now }).credentials()
        #expect(credentials.accessKeyID == "ASIAWEB")

        let request = try #require(server.requests.first)
        #expect(request.form["Action"] == "AssumeRoleWithWebIdentity")
        #expect(request.form["WebIdentityToken"] == "eyJ.oidc-token.sig")
        #expect(request.form["RoleArn"] == "arn:aws:iam::123456789012:role/ci")
        #expect(request.form["RoleSessionName"] == "ci-run")
        #expect(request.header("Authorization") == nil)
    }

    @Test func webIdentityFromProfileUnderProfileOption() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.stsResponse("AssumeRoleWithWebIdentity", id: "ASIAWEB2")])
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        let tokenFile = try home.write("token", "profile-token")
        try home.write(".aws/config", """
        [profile ci]
        web_identity_token_file = \(tokenFile)
        role_arn = arn:aws:iam::1:role/ci
        """)
        var env = home.environment
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/nonexistent/ignored-with-profile-option"
        env["AWS_ENDPOINT_URL_STS"] = server.baseURL.absoluteString
        let credentials = try await home.chain(.init(profile: "ci"), environment: env).credentials()
        #expect(credentials.accessKeyID == "ASIAWEB2")
        #expect(server.requests.first?.form["WebIdentityToken"] == "profile-token")
    }

    @Test func credentialSourceEnvironmentAndSelfSourcedProfile() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.stsResponse("AssumeRole", id: "ASIAX")])
        defer { server.stop() }
        let home = try TestHome(config: """
        [profile fromenv]
        role_arn = arn:aws:iam::1:role/a
        credential_source = Environment
        [profile self]
        role_arn = arn:aws:iam::1:role/b
        source_profile = self
        aws_access_key_id = AKIDSELF
        aws_secret_access_key = selfsecret
        """)
        defer { home.remove() }
        var env = home.environment
        env["AWS_ENDPOINT_URL_STS"] = server.baseURL.absoluteString
        env["AWS_PROFILE"] = "fromenv"
        // With AWS_PROFILE (not --profile) the environment's keys win outright, as in botocore.
        env["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        env["AWS_SECRET_ACCESS_KEY"] = "envsecret"
        #expect(try await home.chain(environment: env).credentials().accessKeyID == "AKIDENV")
        #expect(try await home.chain(.init(profile: "fromenv"), environment: env).credentials().accessKeyID == "ASIAX")
        #expect(try await home.chain(.init(profile: "self"), environment: env).credentials().accessKeyID == "ASIAX")
        let requests = server.requests
        try #require(requests.count == 2)
        #expect(requests[0].header("Authorization")?.contains("Credential=AKIDENV/") == true)
        #expect(requests[1].header("Authorization")?.contains("Credential=AKIDSELF/") == true)
        #expect(requests[1].form["RoleArn"] == "arn:aws:iam::1:role/b")
    }

    @Test func ssoProfileExplainsTheWorkaround() async throws {
        let home = try TestHome(config: "[profile corp]\nsso_session = corp\nsso_account_id = 1\n")
        defer { home.remove() }
        await #expect {
            _ = try await home.chain(.init(profile: "corp")).credentials()
        } throws: { "\($0)".contains("aws configure export-credentials --profile corp --format process") }
    }
}
