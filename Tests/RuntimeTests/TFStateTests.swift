import Foundation
import Testing
@testable import Runtime

/// tfstate lookups as fujiwara/tfstate-lookup answers them, over a state in the shape of
/// ecspresso's tests/terraform.tfstate (Tests/Fixtures/ecspresso).
@Suite struct TFStateTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/ecspresso").standardizedFileURL.path

    func plugins(_ specs: [ConfigPluginSpec]) async throws -> ConfigPlugins {
        try await ConfigPlugins.setup(specs, configFile: "ecspresso.yml", reader: {
            throw AWSSetupError("no AWS in this test")
        })
    }

    func render(_ text: String, _ p: ConfigPlugins) throws -> String {
        try Template.render(text, file: "td.json", environment: [:], functions: p.functions)
    }

    @Test func addressesOfEveryKind() async throws {
        let p = try await plugins([ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/terraform.tfstate")])
        let cases: [(String, String)] = [
            ("{{ tfstate `aws_ecr_repository.all['app'].repository_url` }}", "210987654321.dkr.ecr.us-east-1.amazonaws.com/app"),
            (#"{{ tfstate "aws_ecr_repository.all[\"worker\"].name" }}"#, "worker"),
            ("{{ tfstate `aws_subnet.private[1].id` }}", "subnet-0b"),
            ("{{ tfstatef `aws_subnet.private[%d].availability_zone` 0 }}", "us-east-1a"),
            ("{{ tfstatef `aws_ecr_repository.all['%s'].name` `worker` }}", "worker"),
            ("{{ tfstate `aws_security_group.app.id` }}", "sg-0app"),
            ("{{ tfstate `aws_security_group.app.ingress[0].from_port` }}", "80"),
            ("{{ tfstate `data.aws_caller_identity.me.account_id` }}", "210987654321"),
            ("{{ tfstate `module.logs.aws_cloudwatch_log_group.this.name` }}", "/ecs/app"),
            ("{{ tfstate `output.vpc_id` }}", "vpc-0e1c5h0000000001"),
            ("{{ tfstate `output.private_subnet_ids[0]` }}", "subnet-0a"),
            // Anything but a string is written as Go's json.Marshal writes it.
            ("{{ tfstate `output.private_subnet_ids` }}", #"["subnet-0a","subnet-0b"]"#),
            ("{{ tfstate `output.db` }}", #"{"host":"db.internal","port":5432}"#),
            ("{{ tfstate `aws_subnet.private` }}", #"[{"availability_zone":"us-east-1a","id":"subnet-0a"},{"availability_zone":"us-east-1b","id":"subnet-0b"}]"#),
        ]
        for (template, expected) in cases {
            #expect(try render(template, p) == expected, "\(template)")
        }
    }

    @Test func aMissingAddressIsAnErrorNamingItAtItsPosition() async throws {
        let p = try await plugins([ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/terraform.tfstate")])
        do {
            _ = try render("{\n  \"image\": \"{{ tfstate `aws_ecr_repository.all['nope'].repository_url` }}\"\n}", p)
            Issue.record("rendered a missing address")
        } catch let e as ConfigError {
            #expect(e.file == "td.json")
            #expect(e.line == 2)
            #expect(e.column == 16)
            #expect(e.message == #"error calling tfstate: aws_ecr_repository.all["nope"].repository_url is not found in tfstate"#)
        }
    }

    /// ecspresso's tests/config_multiple_plugins.yaml: two states, one under a prefix.
    @Test func funcPrefixNamesASecondState() async throws {
        let p = try await plugins([
            ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/bucket.tfstate", funcPrefix: "bucket_"),
            ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/terraform.tfstate"),
        ])
        #expect(try render("s3://{{ bucket_tfstate `aws_s3_bucket.main.bucket` }}/ {{ tfstate `aws_security_group.app.id` }}", p)
                == "s3://ecsh-assets/ sg-0app")
    }

    /// ecspresso's tests/config_duplicate_plugins.yaml.
    @Test func twoStatesWithoutAPrefixAreRefused() async throws {
        await #expect(throws: ConfigError.self) {
            _ = try await plugins([
                ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/bucket.tfstate", line: 8, column: 5),
                ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/terraform.tfstate", line: 11, column: 5),
            ])
        }
        do {
            _ = try await plugins([
                ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/bucket.tfstate"),
                ConfigPluginSpec(name: "tfstate", path: Self.fixtures + "/terraform.tfstate", line: 11, column: 5),
            ])
        } catch let e as ConfigError {
            #expect(e.line == 11)
            #expect(e.message.hasSuffix("already exists. set func_prefix to tfstate plugin"))
        }
    }

    @Test func unknownPluginsAndMissingStatesAreConfigErrors() async throws {
        await #expect(throws: ConfigError.self) { _ = try await plugins([ConfigPluginSpec(name: "vault")]) }
        await #expect(throws: ConfigError.self) { _ = try await plugins([ConfigPluginSpec(name: "tfstate")]) }
        do {
            _ = try await plugins([ConfigPluginSpec(name: "tfstate", path: "/nonexistent/terraform.tfstate")])
            Issue.record("a missing state file was accepted")
        } catch let e as ConfigError {
            #expect(e.message.contains("/nonexistent/terraform.tfstate"))
        }
    }

    /// The config's plugins: list, read from YAML with func_prefix and paths against the config's folder.
    @Test func configReadsPluginsAndTheConfigItselfHasNoPluginFunctions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-plugins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yml = dir.appendingPathComponent("ecspresso.yml").path
        try """
            region: us-east-1
            plugins:
              - name: tfstate
                config:
                  path: state/bucket.tfstate
                func_prefix: bucket_
              - name: tfstate
                config:
                  url: s3://states/app.tfstate
            """.write(toFile: yml, atomically: true, encoding: .utf8)
        let config = try EcspressoConfig.load(path: yml, environment: [:])
        #expect(config.plugins.map(\.name) == ["tfstate", "tfstate"])
        #expect(config.plugins[0].path == dir.path + "/state/bucket.tfstate")
        #expect(config.plugins[0].funcPrefix == "bucket_")
        #expect(config.plugins[0].line == 3)
        #expect(config.plugins[1].url == "s3://states/app.tfstate")

        try "region: '{{ ssm `/region` }}'\n".write(toFile: yml, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { _ = try EcspressoConfig.load(path: yml, environment: [:]) }
    }

    /// A state bucket in another region: S3 names it, and the object is asked for there,
    /// signed for that region.
    @Test func aStateBucketInAnotherRegionIsReadThere() async throws {
        let state = try String(contentsOfFile: Self.fixtures + "/bucket.tfstate", encoding: .utf8)
        let transport = ScriptedTransport([
            .respond(HTTPResponse(status: 400, body: Array("""
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>
                """.utf8))),
            .respond(HTTPResponse(status: 200, body: Array(state.utf8))),
        ])
        var endpoints: [AWSService: URL] = [:]
        for s in AWSService.allCases { endpoints[s] = URL(string: s.defaultEndpoint(region: "us-east-1")) }
        let client = AWSClient(region: "us-east-1", endpoints: endpoints,
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")),
                               transport: transport, retry: .standard(maxAttempts: 1))
        let p = try await ConfigPlugins.setup([ConfigPluginSpec(name: "tfstate", url: "s3://states-eu/app/terraform.tfstate")],
                                              configFile: "ecspresso.yml", reader: { client })
        #expect(try render("{{ tfstate `aws_s3_bucket.main.bucket` }}", p) == "ecsh-assets")
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(requests.first?.url.absoluteString == "https://states-eu.s3.us-east-1.amazonaws.com/app/terraform.tfstate")
        #expect(requests.last?.url.absoluteString == "https://states-eu.s3.eu-west-1.amazonaws.com/app/terraform.tfstate")
        #expect(requests.last?.header("Authorization")?.contains("/eu-west-1/s3/aws4_request") == true)
    }

    @Test func ssmValuesFollowEcspressosRules() throws {
        let list = SSMClient.Parameter(name: "/l", type: "StringList", value: "a,b,c")
        #expect(try ConfigPlugins.value(of: list, index: 1) == "b")
        #expect(throws: TemplateFunctionError.self) { _ = try ConfigPlugins.value(of: list, index: nil) }
        #expect(throws: TemplateFunctionError.self) { _ = try ConfigPlugins.value(of: list, index: 3) }
        let secure = SSMClient.Parameter(name: "/s", type: "SecureString", value: "pw")
        #expect(try ConfigPlugins.value(of: secure, index: nil) == "pw")
        #expect(throws: TemplateFunctionError.self) { _ = try ConfigPlugins.value(of: secure, index: 0) }
    }
}
