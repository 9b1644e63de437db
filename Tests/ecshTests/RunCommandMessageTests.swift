import Foundation
import Testing

extension ProcessTests {

/// `ecsh run`'s refusals say what to type on the command line and name the resource.
@Suite struct RunCommandMessageTests {
    /// A folder with a FARGATE task definition and an ecspresso.yml naming it.
    func project() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-run-msg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try #"""
            {"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
             "containerDefinitions": [{"name": "app", "image": "busybox", "essential": true}]}
            """#.write(to: dir.appendingPathComponent("td.json"), atomically: true, encoding: .utf8)
        try "region: us-east-1\ncluster: c\ntask_definition: td.json\n"
            .write(to: dir.appendingPathComponent("ecspresso.yml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func fargateWithoutANetworkNamesTheFlag() throws {
        let r = try Binary.run(["run", "--dry-run", "--launch-type", "FARGATE"], in: try project())
        #expect(r.status == 2)
        #expect(r.stderr.contains("FARGATE tasks need networkConfiguration: pass --network-configuration 'awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1]}'"), "\(r.stderr)")
        #expect(!r.stderr.contains("networkConfiguration: {"), "the script form is not for the command line: \(r.stderr)")
    }

    @Test func aMisspeltSubnetsKeyGetsADidYouMean() throws {
        let r = try Binary.run(["run", "--dry-run", "--launch-type", "FARGATE", "--network-configuration",
                                "awsvpcConfiguration={subnet=[subnet-1],securityGroups=[sg-1]}"], in: try project())
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown field 'subnet' in networkConfiguration.awsvpcConfiguration (did you mean 'subnets'?)"), "\(r.stderr)")
    }

    @Test func managedInstancesPointsAtTheCapacityProviderStrategy() throws {
        let r = try Binary.run(["run", "--dry-run", "--launch-type", "MANAGED_INSTANCES"], in: try project())
        #expect(r.status == 64 || r.status == 2, "a usage error: \(r.status)")
        #expect(r.stderr.contains("--launch-type MANAGED_INSTANCES is not taken by RunTask"), "\(r.stderr)")
        #expect(r.stderr.contains(#"--capacity-provider-strategy '[{"capacityProvider":"NAME"}]'"#), "\(r.stderr)")
    }

    @Test func aMissingRevisionIsNamedWithItsFamily() async throws {
        let s = try await RunCommandMotoTests().setup()
        let r = try s.run(["--revision", "7", "--launch-type", "FARGATE", "--network-configuration", s.network])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("DescribeTaskDefinition (task definition run-\(s.cluster):7): "), "\(r.stderr)")
    }
}
}
