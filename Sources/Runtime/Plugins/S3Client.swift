import Foundation

/// S3's GetObject over its REST protocol, signed with SigV4 and the payload's SHA-256 in
/// `x-amz-content-sha256` (S3 refuses a signed request without it).
struct S3Client {
    let caller: any AWSCaller
    /// The S3 endpoint: a configured one (moto, `--endpoint-url`) is addressed path-style,
    /// the public one virtual-hosted.
    let endpoint: URL
    let isCustomEndpoint: Bool


    func getObject(bucket: String, key: String) async throws -> [UInt8] {
        let encodedKey = key.split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4.uriEncode(String($0)) }.joined(separator: "/")
        guard var parts = URLComponents(url: endpoint, resolvingAgainstBaseURL: false), let host = parts.host else {
            throw AWSClient.ConfigurationError(message: "the S3 endpoint \(endpoint.absoluteString) is not a valid URL")
        }
        let base = parts.percentEncodedPath.hasSuffix("/") ? String(parts.percentEncodedPath.dropLast()) : parts.percentEncodedPath
        if isCustomEndpoint || bucket.contains(".") {
            parts.percentEncodedPath = base + "/" + SigV4.uriEncode(bucket) + "/" + encodedKey
        } else {
            parts.host = bucket + "." + host
            parts.percentEncodedPath = base + "/" + encodedKey
        }
        guard let url = parts.url else {
            throw AWSClient.ConfigurationError(message: "cannot make an S3 URL for s3://\(bucket)/\(key)")
        }
        let request = HTTPRequest(method: "GET", url: url, headers: [
            (name: "x-amz-content-sha256", value: SigV4.payloadHash([])),
            (name: "User-Agent", value: "ecsh/0.1"),
        ])
        return try await caller.send(.s3, "GetObject", request).body
    }

    /// GetObject, asked again in the bucket's own region when S3 says it is another
    /// (as tfstate-lookup finds the bucket's region).
    static func getObject(bucket: String, key: String, caller: any AWSCaller) async throws -> [UInt8] {
        do {
            return try await make(caller).getObject(bucket: bucket, key: key)
        } catch let e as AWSError {
            guard let region = e.fields["Region"], let client = caller as? AWSClient, region != client.region else { throw e }
            return try await make(client.inRegion(region)).getObject(bucket: bucket, key: key)
        }
    }
}
