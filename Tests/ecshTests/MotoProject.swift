import Foundation
import Runtime
import Testing

extension ProcessTests {

/// A folder with an ecspresso.yml, a FARGATE task definition and a service definition for
/// a fresh moto cluster, and a way to ask moto directly what it holds.
struct MotoProject {
    let moto: EndToEndTests.Moto
    let cluster: String
    let dir: URL

    init(files extra: [String: String] = [:]) async throws {
        moto = try EndToEndTests.Moto()
        cluster = try await moto.createCluster()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-moto-project-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = [
            "ecspresso.yml": "region: us-east-1\ncluster: \(cluster)\ntask_definition: taskdef.json\nservice_definition: service.json\ntimeout: 5m\n",
            "taskdef.json": """
                {"family": "p-\(cluster)", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
                 "memory": "512", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128, "essential": true}]}
                """,
            "service.json": """
                {"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration":
                  {"subnets": ["\(moto.subnet)"], "securityGroups": ["\(moto.securityGroup)"]}}}
                """,
        ].merging(extra) { $1 }
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    /// The environment of a run signed with the moto user's keys, plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = moto.environment
        env["AWS_REGION"] = "us-east-1"
        return env.merging(extra) { $1 }
    }

    /// Every task moto holds in the cluster (ListTasks straight from moto, not through a proxy).
    func tasks() async throws -> Set<String> {
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: try #require(URL(string: moto.endpoint))],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: moto.keyID, secretAccessKey: moto.secret)),
                               transport: AsyncHTTPTransport())
        let answer = try await client.call(.ecs, "ListTasks", body: Array(#"{"cluster":"\#(cluster)"}"#.utf8))
        let doc = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]
        return Set(doc?["taskArns"] as? [String] ?? [])
    }

    func remove() {
        try? FileManager.default.removeItem(at: dir)
    }
}
}
