import Crypto
import Foundation

/// AWS Signature Version 4 for one request.
///
/// Signs `host`, `content-type` and every `x-amz-*` header; adds `X-Amz-Date`, the
/// session token when there is one, and `Authorization`. A retry must be signed again:
/// the date is part of the signature.
public struct SigV4: Sendable {
    public var region: String
    public var service: String

    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// The request with `X-Amz-Date`, `X-Amz-Security-Token` (if any) and `Authorization` set.
    public func sign(_ request: HTTPRequest, credentials: AWSCredentials, date: Date = Date()) -> HTTPRequest {
        var request = request
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        request.headers.removeAll {
            ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased())
        }
        request.headers.append((name: "X-Amz-Date", value: stamp))
        if let token = credentials.sessionToken {
            request.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        if request.header("host") == nil {
            request.headers.append((name: "Host", value: Self.hostHeader(request.url)))
        }

        var signed: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.lowercased()
            guard key == "host" || key == "content-type" || key.hasPrefix("x-amz-") else { continue }
            let v = Self.normalize(value)
            signed[key] = signed[key].map { "\($0),\(v)" } ?? v
        }
        let names = signed.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonical = [
            request.method,
            Self.canonicalPath(request.url, service: service),
            Self.canonicalQuery(request.url),
            names.map { "\($0):\(signed[$0] ?? "")\n" }.joined(),
            signedHeaders,
            Self.hex(SHA256.hash(data: request.body)),
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonical.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        request.headers.append((name: "Authorization", value:
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return request
    }

    /// The hex SHA-256 of a body, as S3's `x-amz-content-sha256` header carries it.
    public static func payloadHash(_ body: [UInt8]) -> String {
        hex(SHA256.hash(data: body))
    }

    /// `host` or `host:port` when the port is not the scheme's default.
    public static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let isDefault = (url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80)
        return isDefault ? host : "\(host):\(port)"
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// Trimmed, with runs of spaces collapsed, as the canonical form requires.
    static func normalize(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// Each segment of the path as sent, encoded once more: SigV4 encodes the already
    /// encoded path again for every service but S3, which signs the path as sent.
    static func canonicalPath(_ url: URL, service: String) -> String {
        // URL.path drops a trailing slash; the request goes out with it, so sign it with it.
        // Split before decoding: an encoded slash (%2F) is part of its segment.
        let sent = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        let path = sent.isEmpty ? "/" : sent
        let times = service == "s3" ? 1 : 2
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { segment in
                let decoded = String(segment).removingPercentEncoding ?? String(segment)
                return (0..<times).reduce(decoded) { encoded, _ in uriEncode(encoded) }
            }
            .joined(separator: "/")
    }

    static func canonicalQuery(_ url: URL) -> String {
        guard let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems else { return "" }
        let pairs: [(String, String)] = items.map { (uriEncode($0.name), uriEncode($0.value ?? "")) }
        let sorted = pairs.sorted { a, b in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        return sorted.map { a in a.0 + "=" + a.1 }.joined(separator: "&")
    }

    static func uriEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hexDigits = Array("0123456789ABCDEF")
                out += "%\(hexDigits[Int(byte >> 4)])\(hexDigits[Int(byte & 15)])"
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
