import Foundation

/// A role assumed with an OIDC token from a file (`AWS_WEB_IDENTITY_TOKEN_FILE` +
/// `AWS_ROLE_ARN`, or a profile's `web_identity_token_file` + `role_arn`), as CI systems
/// and EKS provide. The file is read on every fetch: its token is rotated under us.
struct WebIdentityCredentials: Sendable {
    var tokenFile: String
    var roleARN: String
    var sessionName: String
    var sts: STSClient

    func fetch() async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CredentialsError(.sourceFailed,
                "cannot read the web identity token file \(tokenFile) (\(error.localizedDescription))")
        }
        guard !token.isEmpty else {
            throw CredentialsError(.sourceFailed, "the web identity token file \(tokenFile) is empty")
        }
        var credentials = try await sts.assumeRoleWithWebIdentity(
            roleARN: roleARN, sessionName: sessionName, webIdentityToken: token)
        credentials.source = "web identity role \(roleARN)"
        return credentials
    }
}
