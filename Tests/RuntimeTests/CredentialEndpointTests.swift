import Foundation
import Testing
@testable import Runtime
import TestSupport

@Suite struct CredentialEndpointTests {
    static let document = HTTPResponse(status: 200, body: Array("""
    {"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "containersecret", "Token": "containertoken",
     "Expiration": "2099-01-01T00:00:00Z", "RoleArn": "arn:aws:iam::1:role/task"}
    """.utf8))

    @Test func containerFullURIWithAuthorizationToken() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.document])
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL.absoluteString + "/v2/credentials/abc"
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Basic c2VjcmV0"
        let credentials = try await home.chain(environment: env).credentials()
        #expect(credentials.accessKeyID == "ASIACONTAINER")
        #expect(credentials.sessionToken == "containertoken")
        let request = try #require(server.requests.first)
        #expect(request.method == "GET" && request.path == "/v2/credentials/abc")
        #expect(request.header("Authorization") == "Basic c2VjcmV0")
    }

    @Test func containerAuthorizationTokenFile() async throws {
        let server = try LoopbackHTTPServer(responses: [Self.document])
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        let tokenFile = try home.write("eks-token", "pod-identity-token\n")
        var env = home.environment
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL.absoluteString + "/creds"
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-a-file-is-given"
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
        _ = try await home.chain(environment: env).credentials()
        #expect(server.requests.first?.header("Authorization") == "pod-identity-token")
    }

    @Test func containerEndpointErrorIsReported() async throws {
        let server = try LoopbackHTTPServer(responses: [
            HTTPResponse(status: 403, body: Array(#"{"code":"AccessDenied","message":"bad token"}"#.utf8))])
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL.absoluteString + "/creds"
        await #expect {
            _ = try await home.chain(environment: env).credentials()
        } throws: { "\($0)".contains("HTTP 403: bad token") }
    }

    @Test func fullURIOverPlainHTTPMustBeLocal() throws {
        #expect(throws: CredentialsError.self) {
            _ = try ContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"],
                                         transport: SocketTransport())
        }
        #expect(try ContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/creds"],
                                         transport: SocketTransport()) != nil)
        let relative = try ContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"],
                                                transport: SocketTransport())
        #expect(relative?.url.absoluteString == "http://169.254.170.2/v2/credentials/x")
    }

    @Test func instanceMetadataV2() async throws {
        let server = try LoopbackHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return HTTPResponse(status: 200, body: Array("imds-session-token".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return HTTPResponse(status: 200, body: Array("web-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/web-role"):
                return HTTPResponse(status: 200, body: Array("""
                {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "imdssecret",
                 "Token": "imdstoken", "Expiration": "2099-01-01T00:00:00Z"}
                """.utf8))
            default:
                return HTTPResponse(status: 404)
            }
        }
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        let env = ["HOME": home.path, "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL.absoluteString]
        let credentials = try await home.chain(environment: env).credentials()
        #expect(credentials.accessKeyID == "ASIAIMDS" && credentials.sessionToken == "imdstoken")
        #expect(credentials.source == "instance metadata role web-role")

        let requests = server.requests
        try #require(requests.count == 3)
        #expect(requests[0].method == "PUT")
        #expect(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
        #expect(requests[1].path == "/latest/meta-data/iam/security-credentials/")
        #expect(requests[2].path == "/latest/meta-data/iam/security-credentials/web-role")
        #expect(requests[1].header("X-aws-ec2-metadata-token") == "imds-session-token")
        #expect(requests[2].header("X-aws-ec2-metadata-token") == "imds-session-token")
    }

    @Test func instanceMetadataWithoutARoleIsNotFound() async throws {
        let server = try LoopbackHTTPServer { request in
            request.method == "PUT" ? HTTPResponse(status: 200, body: Array("t".utf8)) : HTTPResponse(status: 404)
        }
        defer { server.stop() }
        let home = try TestHome()
        defer { home.remove() }
        let env = ["HOME": home.path, "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL.absoluteString]
        await #expect {
            _ = try await home.chain(environment: env).credentials()
        } throws: { error in
            let text = "\(error)"
            return (error as? CredentialsError)?.kind == .notFound
                && text.contains("instance metadata at \(server.baseURL.absoluteString): the instance has no IAM role")
                && text.hasSuffix(CredentialsError.localHint)
        }
    }
}
