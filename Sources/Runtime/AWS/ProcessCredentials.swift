import Foundation
import Subprocess

/// A profile's `credential_process`: a command whose standard output is a JSON document
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`.
///
/// It runs through `/bin/sh -c`, with the process environment plus the chain's
/// environment dictionary. Its standard output holds secrets and never appears in an
/// error, nor does the command (it may carry a password); its standard error does,
/// since that is where such tools explain themselves.
struct ProcessCredentials: Sendable {
    var command: String
    var profile: String
    var environment: [String: String]

    static let outputLimit = 1 << 20
    static let errorLimit = 64 << 10
    /// How much of the standard error a message quotes.
    static let quotedErrorLimit = 2000

    func fetch() async throws -> AWSCredentials {
        let source = "credential_process of profile '\(profile)'"
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { overrides[key] = value }
        }
        let result: ExecutionResult<Void, BytesOutput, BytesOutput>
        do {
            result = try await run(.path("/bin/sh"), arguments: ["-c", command],
                                   environment: .inherit.updating(overrides),
                                   output: .bytes(limit: Self.outputLimit),
                                   error: .bytes(limit: Self.errorLimit))
        } catch {
            throw CredentialsError(.sourceFailed, "\(source) could not be run: \(error)")
        }
        let stderr = Self.quote(result.standardError)
        let errorSuffix = stderr.isEmpty ? "" : "; its standard error:\n\(stderr)"
        guard result.terminationStatus.isSuccess else {
            let how: String
            switch result.terminationStatus {
            case .exited(let code): how = "exited with status \(code)"
            case .signaled(let signal): how = "was killed by signal \(signal)"
            }
            throw CredentialsError(.sourceFailed, "\(source) \(how)\(errorSuffix)")
        }
        guard let document = CredentialsDocument.decode(result.standardOutput) else {
            throw CredentialsError(.sourceFailed,
                "\(source) did not print a JSON object with AccessKeyId and SecretAccessKey\(errorSuffix)")
        }
        guard document.Version == 1 else {
            throw CredentialsError(.sourceFailed,
                "\(source) printed a document with Version \(document.Version.map(String.init) ?? "missing"); only Version 1 is understood")
        }
        return try document.credentials(source: source).get()
    }

    /// The standard error, trimmed and cut to a readable length.
    static func quote(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > quotedErrorLimit { text = String(text.prefix(quotedErrorLimit)) + " ..." }
        return text
    }
}
