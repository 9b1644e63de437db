/// The AWS services ecsh talks to, with what their wire protocol needs.
public enum AWSService: String, Sendable, CaseIterable {
    case ecs
    case logs
    case sts
    /// Systems Manager Parameter Store, for the `ssm` template function.
    case ssm
    /// For the `secretsmanager_arn` template function.
    case secretsmanager
    /// For `tfstate` plugins whose state lives in `s3://`.
    case s3

    /// The SigV4 service name and the host prefix.
    public var signingName: String { rawValue }

    /// The `X-Amz-Target` prefix of an awsJson1_1 service (STS speaks the query protocol,
    /// S3 its REST protocol).
    public var targetPrefix: String? {
        switch self {
        case .ecs: return "AmazonEC2ContainerServiceV20141113"
        case .logs: return "Logs_20140328"
        case .ssm: return "AmazonSSM"
        case .secretsmanager: return "secretsmanager"
        case .sts, .s3: return nil
        }
    }

    /// The suffix of `AWS_ENDPOINT_URL_<ID>` and of a profile's `services` section key.
    public var endpointEnvironmentID: String {
        switch self {
        case .ecs: return "ECS"
        case .logs: return "CLOUDWATCH_LOGS"
        case .sts: return "STS"
        case .ssm: return "SSM"
        case .secretsmanager: return "SECRETS_MANAGER"
        case .s3: return "S3"
        }
    }

    /// `https://ecs.us-east-1.amazonaws.com`, `.amazonaws.com.cn` in China regions.
    public func defaultEndpoint(region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(signingName).\(region).\(suffix)"
    }
}
