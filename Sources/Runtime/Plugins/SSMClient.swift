import Foundation

/// Systems Manager's GetParameter (awsJson1_1, target `AmazonSSM.GetParameter`), as
/// ecspresso's ssm plugin calls it: always WithDecryption, so SecureStrings come back decrypted.
struct SSMClient {
    let caller: any AWSCaller

    struct Parameter: Sendable, Equatable {
        var name: String
        /// String, StringList or SecureString.
        var type: String
        var value: String
    }

    private struct Request: Encodable {
        var Name: String
        var WithDecryption: Bool
    }

    private struct Response: Decodable {
        struct Body: Decodable {
            var Name: String?
            var `Type`: String?
            var Value: String?
        }
        var Parameter: Body?
    }

    func getParameter(_ name: String) async throws -> Parameter {
        let body = try WireJSON.encode(Request(Name: name, WithDecryption: true))
        let answer = try await caller.call(.ssm, "GetParameter", body: body)
        let decoded = try WireJSON.decode(Response.self, answer, operation: "GetParameter")
        guard let p = decoded.Parameter, let type = p.Type, let value = p.Value else {
            throw AWSResponseError(operation: "GetParameter", message: "the response has no Parameter with a Type and a Value")
        }
        return Parameter(name: p.Name ?? name, type: type, value: value)
    }
}

/// Secrets Manager's DescribeSecret (awsJson1_1, target `secretsmanager.DescribeSecret`): the
/// secret's ARN, never its value.
struct SecretsManagerClient {
    let caller: any AWSCaller

    private struct Request: Encodable {
        var SecretId: String
    }

    private struct Response: Decodable {
        var ARN: String?
    }

    func describeSecretARN(_ id: String) async throws -> String {
        let answer = try await caller.call(.secretsmanager, "DescribeSecret", body: try WireJSON.encode(Request(SecretId: id)))
        guard let arn = try WireJSON.decode(Response.self, answer, operation: "DescribeSecret").ARN else {
            throw AWSResponseError(operation: "DescribeSecret", message: "the response has no ARN")
        }
        return arn
    }
}
