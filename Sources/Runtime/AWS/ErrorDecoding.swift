import Foundation

/// Turns an AWS error response into an `AWSError`.
///
/// awsJson1_1 services answer with a JSON body (`__type`, `message`), but the front
/// door of AWS (signature checks, some 403s) and query-protocol services answer in XML,
/// and a proxy or load balancer may answer with HTML or nothing at all. Every one of
/// those must still give the user a code and a message.
public enum ErrorDecoding {
    /// The error in `response`, or nil when its status is below 300.
    public static func decode(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError? {
        guard response.status >= 300 else { return nil }
        var code: String?
        var message: String?
        var requestID = response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id")
        var fields: [String: String] = [:]

        if let object = jsonObject(response.body) {
            var codeKey: String?
            if let type = object["__type"] as? String, !type.isEmpty {
                code = type
                codeKey = "__type"
            } else if let header = response.header("X-Amzn-Errortype"), !header.isEmpty {
                code = header
            } else if let bodyCode = object["code"] as? String, !bodyCode.isEmpty {
                code = bodyCode
                codeKey = "code"
            }
            var messageKey: String?
            for key in ["message", "Message"] {
                if let text = object[key] as? String {
                    message = text
                    messageKey = key
                    break
                }
            }
            for (key, value) in object where key != codeKey && key != messageKey && key != "__type" {
                fields[key] = jsonText(value)
            }
        } else if let xml = String(bytes: response.body, encoding: .utf8), xml.contains("<Code>") {
            code = xmlElement("Code", in: xml)
            message = xmlElement("Message", in: xml)
            // S3 names a bucket's own region when it was asked in another.
            if let region = xmlElement("Region", in: xml) { fields["Region"] = region }
            requestID = requestID ?? xmlElement("RequestId", in: xml) ?? xmlElement("RequestID", in: xml)
        } else if let header = response.header("X-Amzn-Errortype"), !header.isEmpty {
            code = header
        }

        if let region = response.header("x-amz-bucket-region"), !region.isEmpty { fields["Region"] = region }
        let name = code.map(shortCode).flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP \(response.status)"
        let text = message ?? (code == nil ? bodyExcerpt(response.body) : "")
        return AWSError(code: name, message: text, status: response.status, requestID: requestID,
                        fields: fields, service: service, operation: operation)
    }

    /// `com.amazonaws.ecs#ClusterNotFoundException:http://...` is `ClusterNotFoundException`.
    static func shortCode(_ raw: String) -> String {
        let beforeColon = raw.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let afterHash = beforeColon.split(separator: "#", omittingEmptySubsequences: false).last ?? ""
        return afterHash.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func jsonObject(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    static func jsonText(_ value: Any) -> String {
        let options: JSONSerialization.WritingOptions = [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else {
            return String(describing: value)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of the first `<name>` element, entities decoded. A full XML parser would
    /// buy nothing here: error documents are flat and small.
    static func xmlElement(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
              let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else { return nil }
        let raw = String(xml[open.upperBound..<close.lowerBound])
        return raw.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What a body nobody could parse said, short enough for an error line.
    static func bodyExcerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count > 200 else { return text }
        return String(text.prefix(200)) + "..."
    }
}
