import Foundation
import Testing
@testable import Runtime

/// ecspresso's own CI config shape (tests/ci/ecspresso.yml): a Go `{{ if }}` decides whether
/// the tfstate plugin is there.
@Suite struct EcspressoCIConfigTests {
    static let text = """
        region: ap-northeast-1
        cluster: ecspresso-test
        service: "{{ must_env `SERVICE` }}"
        service_definition: ecs-service-def.jsonnet
        task_definition: ecs-task-def.jsonnet
        timeout: 20m0s
        plugins:
        {{ if (env `TFSTATE_BUCKET` ``) }}
          - name: tfstate
            config:
              url: "s3://{{ must_env `TFSTATE_BUCKET` }}/terraform.tfstate"
        {{ end }}
        """

    func load(_ environment: [String: String]) throws -> EcspressoConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-ci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ecspresso.yml").path
        try Self.text.write(toFile: path, atomically: true, encoding: .utf8)
        return try EcspressoConfig.load(path: path, environment: environment)
    }

    @Test func withoutABucketThereIsNoPlugin() throws {
        let config = try load(["SERVICE": "nginx-local"])
        #expect(config.service == "nginx-local")
        #expect(config.cluster == "ecspresso-test")
        #expect(config.timeout == .seconds(20 * 60))
        #expect(config.plugins.isEmpty)
    }

    @Test func withABucketTheStateIsInS3() throws {
        let config = try load(["SERVICE": "nginx-local", "TFSTATE_BUCKET": "ci-states"])
        #expect(config.plugins == [ConfigPluginSpec(name: "tfstate", url: "s3://ci-states/terraform.tfstate", line: 9, column: 5)])
    }

    @Test func mustEnvStillStopsIt() throws {
        #expect(throws: ConfigError.self) { _ = try load([:]) }
    }
}
