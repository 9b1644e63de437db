import Foundation
import Testing
import TestSupport

extension ProcessTests {

/// A 30-task fan-out into a full cluster, the proxy in front of moto answering for ECS
/// what moto cannot: the first RunTask calls refused for the provisioning quota, the next
/// ones placing no task for RESOURCE:MEMORY. ecsh waits and launches exactly 30.
@Suite struct CapacityProxyTests {
    static let playbook = """
        config()
        let ts = run(register(), count: 30, startedBy: "capacity")
        for t in ts { print(t.arn) }
        """

    static let refused = #"{"__type":"ClientException","message":"Tasks provisioning capacity limit exceeded."}"#
    static let noMemory = #"{"tasks":[],"failures":[{"arn":"arn:aws:ecs:us-east-1:123456789012:container-instance/full/1","reason":"RESOURCE:MEMORY"}]}"#

    @Test func aFullClusterIsWaitedForAndExactlyThirtyTasksStart() async throws {
        let plan = FaultPlan.on("RunTask", [1: .reply(status: 400, body: Self.refused), 2: .reply(status: 400, body: Self.refused),
                                            3: .reply(status: 200, body: Self.noMemory), 4: .reply(status: 200, body: Self.noMemory)])
        let s = try await FaultInjectionTests.Setup(plan)
        defer { s.project.remove() }
        try Self.playbook.write(to: s.project.dir.appendingPathComponent("capacity.ecsh"), atomically: true, encoding: .utf8)
        let r = try s.run(["capacity.ecsh"], attempts: 3)
        #expect(r.status == 0, "\(r.stderr)")
        // With --progress off, stdout holds the script's lines; warnings go to stderr.
        #expect(!r.stdout.contains("warning"), "\(r.stdout)")
        let printed = r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("arn:") }
        #expect(printed.count == 30 && Set(printed).count == 30, "\(r.stdout)")
        let held = try await s.project.tasks()
        #expect(held == Set(printed), "moto holds exactly the 30 tasks reported: \(held.count)")
        // The wait was shown, for both reasons.
        let said = r.stderr
        #expect(said.contains("has no room: RunTask was refused: ClientException: Tasks provisioning capacity limit exceeded; 10 task(s) go again in"), "\(said)")
        #expect(said.contains("has no room: 10 task(s) found no room (RESOURCE:MEMORY)"), "\(said)")
        // Refused batches went again under their token; none reached moto twice.
        for (token, attempts) in s.runTasksByToken {
            let reached = attempts.filter { $0.fault == nil && !$0.answeredFromCache }
            #expect(reached.count <= 1, "batch \(token) reached moto \(reached.count) times")
            #expect(Set(attempts.map { FaultProxy.canonical($0.request.body) }).count == 1)
        }
    }

    @Test func ecshRunWaitsForRoomUnlessTheLaunchTimeoutIsZero() async throws {
        let plan = FaultPlan.on("RunTask", [1: .reply(status: 400, body: Self.refused), 2: .reply(status: 400, body: Self.refused)])
        let s = try await FaultInjectionTests.Setup(plan)
        defer { s.project.remove() }
        let network = "awsvpcConfiguration={subnets=[\(s.project.moto.subnet)],securityGroups=[\(s.project.moto.securityGroup)]}"
        let args = ["--count", "3", "--launch-type", "FARGATE", "--network-configuration", network]
        let now = try s.run(args + ["--launch-timeout", "0s"], subcommand: ["run"], attempts: 1)
        #expect(now.status == 1 && now.stderr.contains("Tasks provisioning capacity limit exceeded."), "\(now.stderr)")
        #expect(try await s.project.tasks().isEmpty)
        // Refused once more (the plan's second RunTask passes), then launched.
        let later = try s.run(args, subcommand: ["run"], attempts: 1)
        #expect(later.status == 0, "\(later.stderr)")
        #expect(try await s.project.tasks().count == 3)
        let bad = try s.run(args + ["--launch-timeout", "soon"], subcommand: ["run"], attempts: 1)
        #expect(bad.status == 2 && bad.stderr.contains("--launch-timeout must be a duration"), "\(bad.stderr)")
    }
}
}
