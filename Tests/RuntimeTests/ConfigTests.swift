import Foundation
import Lang
import Testing
@testable import Runtime

/// A fresh directory under the system's temporary directory, for one test's files.
struct ConfigScratchDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// Writes `text` to `name` (sub-directories created) and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ConfigTests {
    func loadError(_ path: String, _ environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try EcspressoConfig.load(path: path, environment: environment)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func loadsAllFieldsWithTemplatesAndIgnoresUnknownKeys() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("deploy/ecspresso.yml", """
            required_version: ">= 2.0.0"
            region: {{ must_env `AWS_REGION` }}
            cluster: {{ env `CLUSTER` "default-cluster" }}
            service: web
            task_definition: ecs-task-def.json
            service_definition: ../shared/./ecs-service-def.jsonnet
            timeout: 1h30m
            plugins:
              - name: tfstate
                config:
                  url: s3://bucket/terraform.tfstate
            filter_command: peco
            appspec:
              Hooks: []
            """)
        let config = try EcspressoConfig.load(path: path, environment: ["AWS_REGION": "ap-northeast-1"])
        #expect(config.path == path)
        #expect(config.requiredVersion == ">= 2.0.0")
        #expect(config.region == "ap-northeast-1")
        #expect(config.cluster == "default-cluster")
        #expect(config.service == "web")
        #expect(config.taskDefinitionPath == dir.path + "/deploy/ecs-task-def.json")
        #expect(config.serviceDefinitionPath == dir.path + "/shared/ecs-service-def.jsonnet")
        #expect(config.timeout == .seconds(5400))
    }

    @Test func absolutePathsStayAndRelativeConfigPathsStayRelative() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("ecspresso.yml", "task_definition: /etc/ecs/td.json\n")
        #expect(try EcspressoConfig.load(path: path, environment: [:]).taskDefinitionPath == "/etc/ecs/td.json")
        #expect(EcspressoConfig.resolve("td.json", against: "") == "td.json")
        #expect(EcspressoConfig.resolve("./td.json", against: ".") == "td.json")
        #expect(EcspressoConfig.resolve("../td.json", against: "conf") == "td.json")
        #expect(EcspressoConfig.resolve("../../td.json", against: "conf") == "../td.json")
    }

    @Test func missingKeysAndEmptyFileAreNil() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let empty = try EcspressoConfig.load(path: try dir.write("empty.yml", ""), environment: [:])
        #expect(empty.cluster == nil && empty.region == nil && empty.timeout == nil && empty.taskDefinitionPath == nil)
        let nulls = try EcspressoConfig.load(path: try dir.write("nulls.yml", "cluster:\nregion: ~\n"), environment: [:])
        #expect(nulls.cluster == nil && nulls.region == nil)
    }

    @Test func camelCaseKeysAndNumericScalarsAreAccepted() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("c.yml", "taskDefinition: td.json\ncluster: 2024\n")
        let config = try EcspressoConfig.load(path: path, environment: [:])
        #expect(config.taskDefinitionPath == dir.path + "/td.json")
        #expect(config.cluster == "2024")
    }

    @Test(arguments: [
        ("10m", Duration.seconds(600)), ("90s", .seconds(90)), ("1h30m", .seconds(5400)),
        ("1.5h", .seconds(5400)), ("300ms", .milliseconds(300)), ("10m0s", .seconds(600)),
        ("0", .zero), ("120", .seconds(120)), ("2.5", .milliseconds(2500)),
    ])
    func timeouts(text: String, expected: Duration) throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("c.yml", "timeout: \(text)\n")
        #expect(try EcspressoConfig.load(path: path, environment: [:]).timeout == expected)
    }

    @Test func goDurationSyntax() {
        #expect(GoDuration.parse("1h2m3s4ms5us6ns") == .nanoseconds(3_723_004_005_006))
        #expect(GoDuration.parse("1µs") == .microseconds(1))
        #expect(GoDuration.parse(".5s") == .milliseconds(500))
        #expect(GoDuration.parse("-1m") == .seconds(-60))
        for bad in ["", "10", "m", "1x", "1.2.3s", "ten minutes", "1h 30m"] {
            #expect(GoDuration.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func badTimeoutIsReportedWithItsLine() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        for text in ["ten minutes", "-5m", "[1, 2]"] {
            let path = try dir.write("c.yml", "cluster: x\ntimeout: \(text)\n")
            let error = try #require(loadError(path))
            #expect(error.line == 2, "\(text)")
            #expect(error.column == 10, "\(text)")
            #expect(error.message.contains("timeout"))
        }
    }

    @Test func yamlSyntaxErrorHasFileLineAndColumn() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("bad.yml", "region: us-east-1\ncluster: \"unterminated\nservice: x\n")
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 4)
        #expect(error.column == 1)
        #expect(error.message.contains("YAML"))

        let tabs = try dir.write("tabs.yml", "region: a\ncluster: b\n  bad: [\n")
        let second = try #require(loadError(tabs))
        #expect(second.line == 3)
    }

    @Test func wrongTypeNamesTheKeyAndLine() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("c.yml", "region: us-east-1\ncluster:\n  - a\n  - b\n")
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 3)
        #expect(error.message.contains("cluster must be a string"))

        let map = try dir.write("m.yml", "task_definition: {path: x}\n")
        #expect(loadError(map)?.message.contains("task_definition must be a string, not a mapping") == true)

        let list = try dir.write("l.yml", "- a\n- b\n")
        #expect(loadError(list)?.message.contains("mapping") == true)
    }

    @Test func templateErrorsInTheConfigSurface() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("c.yml", "region: x\ncluster: {{ must_env `CLUSTER` }}\n")
        let error = try #require(loadError(path))
        // At the function, as Go's text/template reports it (columns from 1 here).
        #expect(error.file == path && error.line == 2 && error.column == 13)
        #expect(error.message.contains("CLUSTER"))
        #expect(loadError(dir.path + "/nothere.yml")?.message == "no such file")
    }

    @Test func jsonConfigIsReadLikeEcspressoDoes() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("ecspresso.json", """
            {
              "region": "{{ env `R` `eu-west-1` }}",
              "cluster": "c1",
              "task_definition": "td.json",
              "timeout": "5m",
              "service": ["not", "a", "string"]
            }
            """)
        let error = try #require(loadError(path))
        #expect(error.line == 6 && error.column == 3)
        #expect(error.message.contains("service must be a string, not a List"))
        try dir.write("ecspresso.json", #"{"region": "{{ env `R` `eu-west-1` }}", "task_definition": "td.json", "timeout": 30}"#)
        let config = try EcspressoConfig.load(path: path, environment: [:])
        #expect(config.region == "eu-west-1")
        #expect(config.taskDefinitionPath == dir.path + "/td.json")
        #expect(config.timeout == .seconds(30))
    }

    @Test func serviceDefaultsComeFromTheServiceDefinition() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        try dir.write("svc.json", """
            {
              "deploymentConfiguration": {"maximumPercent": 200},
              "desiredCount": 2,
              "LaunchType": "FARGATE",
              "networkConfiguration": {
                "awsvpcConfiguration": {
                  "subnets": ["{{ must_env `SUBNET` }}"],
                  "securityGroups": ["sg-1"],
                  "assignPublicIp": "DISABLED"
                }
              },
              "platformVersion": "LATEST",
              "enableExecuteCommand": true,
              "propagateTags": "SERVICE",
              "capacityProviderStrategy": null
            }
            """)
        let path = try dir.write("ecspresso.yml", "service_definition: svc.json\n")
        let config = try EcspressoConfig.load(path: path, environment: [:])
        let defaults = try config.serviceDefaults(environment: ["SUBNET": "subnet-9"])
        // As ecspresso's run: the service's propagateTags is not sent.
        #expect(Array(defaults.keys) == ["networkConfiguration", "launchType", "platformVersion", "enableExecuteCommand"])
        #expect(try JSON.encode(defaults["networkConfiguration"] ?? .nil)
                == #"{"awsvpcConfiguration":{"subnets":["subnet-9"],"securityGroups":["sg-1"],"assignPublicIp":"DISABLED"}}"#)
        #expect(try JSON.encode(defaults["launchType"] ?? .nil) == #""FARGATE""#)
        #expect(try JSON.encode(defaults["enableExecuteCommand"] ?? .nil) == "true")

        #expect(try EcspressoConfig(path: path).serviceDefaults(environment: [:]).isEmpty)
        #expect(throws: ConfigError.self) { try config.serviceDefaults(environment: [:]) }
    }

    @Test func jsonLocationFindsPathsAndFallsBackToAncestors() throws {
        let text = "{\n  \"a\": [\n    {\"b\": 1},\n    {\"c\": \"x\\\"y\", \"é\": 2}\n  ]\n}"
        let locations = JSONLocation(text: text)
        func at(_ path: String) -> [Int]? { locations.position(of: path).map { [$0.line, $0.column] } }
        #expect(at("") == [1, 1])
        #expect(at("a") == [2, 3])
        #expect(at("a[0]") == [3, 5])
        #expect(at("a[0].b") == [3, 6])
        #expect(at("a[1].é") == [4, 19])
        #expect(at("a[1].missing") == [4, 5])
    }

    @Test func configErrorDescription() {
        #expect(ConfigError(file: "f", line: 1, column: 2, message: "m").description == "f:1:2: m")
        #expect(ConfigError(file: "f", line: 3, message: "m").description == "f:3: m")
        #expect(ConfigError(file: "f", message: "m").description == "f: m")
    }
}
