import Foundation
import Testing
import TestSupport

extension ProcessTests {

/// The binary against moto through the fault proxy (signatures checked by moto): lost,
/// refused, reset, slow, throttled and failing calls on RunTask and DescribeTasks. Every
/// task moto holds must be one the script reported, no batch may reach moto twice, and a
/// launch that cannot finish must say so and list what it started.
@Suite struct FaultInjectionTests {
    static let playbook = """
        config()
        let td = register()
        let launched = run(td, count: 25, startedBy: "faults")
        for t in launched { print(t.arn) }
        let done = wait(launched, timeout: 5m)
        print("${len(done.filter(fn(t) => t.ok))}/${len(done)} ok")
        """

    struct Setup {
        let project: MotoProject
        let proxy: FaultProxy

        init(_ plan: FaultPlan) async throws {
            project = try await MotoProject(files: ["playbook.ecsh": FaultInjectionTests.playbook])
            proxy = try FaultProxy(upstream: try #require(URL(string: project.moto.endpoint)), plan: plan)
        }

        /// `ecsh [subcommand] --endpoint-url PROXY args...`
        func run(_ args: [String], subcommand: [String] = [], attempts: Int) throws -> Binary.Result {
            try Binary.run(subcommand + ["--endpoint-url", proxy.endpoint, "--progress", "off"] + args, in: project.dir,
                           environment: project.environment(["AWS_MAX_ATTEMPTS": String(attempts)]))
        }

        /// The RunTask requests by client token, from the proxy's log.
        var runTasksByToken: [String: [FaultProxy.Exchange]] {
            Dictionary(grouping: proxy.log.filter { $0.operation == "RunTask" }) { $0.runTask?.clientToken ?? "" }
        }

        /// What every RunTask batch must show in the proxy's log: a token of its own, the same
        /// parameters on every attempt, and one request that reached moto.
        func checkBatches(total: Int, comment: Comment) {
            let batches = runTasksByToken
            #expect(batches[""] == nil, "every RunTask has a client token")
            for (token, attempts) in batches {
                #expect(Set(attempts.map { FaultProxy.canonical($0.request.body) }).count == 1,
                        "token \(token) was sent with one set of parameters")
                let reachedMoto = attempts.filter { ($0.fault == nil || $0.fault?.forwards == true) && !$0.answeredFromCache }
                #expect(reachedMoto.count <= 1, "batch \(token) reached moto \(reachedMoto.count) times")
                #expect(!attempts.contains { $0.response.map { String(decoding: $0.body, as: UTF8.self).contains("ConflictException") } ?? false })
            }
            let counts = batches.values.compactMap { $0.first?.runTask?.count }
            #expect(counts.reduce(0, +) == total, "the batches' counts add up to the count asked for: \(comment)")
            #expect(counts.allSatisfy { $0 <= 10 })
        }
    }

    @Test func transientFaultsLaunchEveryTaskOnceAndTheScriptReportsThemAll() async throws {
        let plan = FaultPlan.on("RunTask", [1: .drop, 2: .truncate, 3: .reset, 4: .unavailable, 5: .throttle,
                                            6: .refuse, 7: .delay(.milliseconds(300)), 8: .serverError])
            // In a row on the first poll: a fault makes the retry that meets the next one, and
            // backoff doubles with each, so a few are enough.
            + .on("DescribeTasks", [1: .reset, 2: .unavailable, 3: .drop])
        let s = try await Setup(plan)
        defer { s.project.remove() }
        // More attempts than there are faults: no call can run out of them.
        let r = try s.run(["playbook.ecsh"], attempts: 10)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let reported = Set(lines.filter { $0.hasPrefix("arn:aws:ecs:") })
        #expect(reported.count == 25, "\(r.stdout)")
        #expect(lines.last == "25/25 ok")

        let held = try await s.project.tasks()
        #expect(held == reported, "moto holds exactly the tasks the script reported")

        let log = s.proxy.log
        let applied = log.compactMap { e in e.fault.map { "\(e.operation) \($0)" } }
        #expect(applied.count == 11, "every planned fault happened: \(applied)")
        s.checkBatches(total: 25, comment: "transient faults")
        #expect(s.runTasksByToken.count == 3, "25 tasks take 3 batches, each under one token")
        // The dropped and truncated RunTasks had reached moto: their retries were answered
        // from the token, as ECS answers them, and launched nothing more.
        let lost = log.filter { $0.operation == "RunTask" && ($0.fault == .drop || $0.fault == .truncate) }
        for e in lost {
            let token = e.runTask?.clientToken
            #expect(log.contains { $0.sequence > e.sequence && $0.runTask?.clientToken == token && $0.answeredFromCache && $0.delivered },
                    "the batch whose answer was lost (\(e.fault!)) was asked again with its token")
        }
    }

    @Test func aBatchThatKeepsFailingEndsTheScriptWithAClearErrorListingWhatStarted() async throws {
        let s = try await Setup(.runTaskBatch(2, .unavailable))
        defer { s.project.remove() }
        let r = try s.run(["playbook.ecsh"], attempts: 3)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty, "the script never got its list of tasks")

        let batches = s.runTasksByToken
        let failed = try #require(batches.values.first { $0.first?.call.tokenRank == 2 })
        #expect(failed.count == 3 && failed.allSatisfy { $0.fault == .unavailable }, "three attempts, all refused with 503")
        let started = batches.values.filter { $0.first?.call.tokenRank != 2 }.compactMap { $0.first?.runTask?.count }.reduce(0, +)

        let held = try await s.project.tasks()
        #expect(held.count == started)
        let first = try #require(r.stderr.split(separator: "\n").first)
        #expect(first.contains("playbook.ecsh:3:16: error: run(): ") && first.contains("ServiceUnavailableException")
                && first.contains("after \(started) of 25 tasks had started"), "\(r.stderr)")
        for arn in held {
            #expect(r.stderr.contains("--task \(arn.split(separator: "/").last ?? "")\n"), "task \(arn) is listed: \(r.stderr)")
        }
        s.checkBatches(total: 25, comment: "one batch failing")
    }

    @Test func aBatchWhoseAnswersAreAllLostSaysItsTasksMayHaveStartedAndGivesItsToken() async throws {
        let s = try await Setup(.runTaskBatch(2, .drop))
        defer { s.project.remove() }
        let r = try s.run(["playbook.ecsh"], attempts: 3)
        #expect(r.status == 1)

        let batches = s.runTasksByToken
        let lost = try #require(batches.values.first { $0.first?.call.tokenRank == 2 })
        #expect(lost.count == 3 && lost.allSatisfy { $0.fault == .drop && !$0.delivered })
        let token = try #require(lost.first?.runTask?.clientToken)
        let count = try #require(lost.first?.runTask?.count)
        // What moto answered the first attempt, which the client never heard.
        let answer = try #require(lost.first?.response.flatMap { FaultProxy.object($0.body) })
        let unseen = Set((answer["tasks"] as? [[String: Any]] ?? []).compactMap { $0["taskArn"] as? String })
        #expect(unseen.count == count)

        let first = try #require(r.stderr.split(separator: "\n").first)
        #expect(first.contains("up to \(count) more task(s) may have started unseen") && first.contains("clientToken \(token)"),
                "\(r.stderr)")
        let held = try await s.project.tasks()
        let listed = held.filter { r.stderr.contains("--task \($0.split(separator: "/").last ?? "")\n") }
        #expect(held.count == 25, "the lost batch did start its tasks")
        #expect(listed.union(unseen) == held && listed.isDisjoint(with: unseen),
                "every task moto holds is listed, or was in the answer the error gives the token of")
        s.checkBatches(total: 25, comment: "answers lost")
    }

    @Test func ecshRunListsTheTasksThatStartedWhenABatchFails() async throws {
        let s = try await Setup(.runTaskBatch(1, .unavailable))
        defer { s.project.remove() }
        let network = "awsvpcConfiguration={subnets=[\(s.project.moto.subnet)],securityGroups=[\(s.project.moto.securityGroup)]}"
        let r = try s.run(["--count", "25", "--launch-type", "FARGATE", "--network-configuration", network], subcommand: ["run"], attempts: 2)
        #expect(r.status == 1)
        let held = try await s.project.tasks()
        let started = s.runTasksByToken.values.filter { $0.first?.call.tokenRank != 1 }.compactMap { $0.first?.runTask?.count }.reduce(0, +)
        #expect(held.count == started && started > 0)
        #expect(r.stderr.hasPrefix("ecsh: error: ") && r.stderr.contains("ServiceUnavailableException"), "\(r.stderr)")
        for arn in held {
            #expect(r.stderr.contains("--task \(arn.split(separator: "/").last ?? "")\n"), "task \(arn) is listed: \(r.stderr)")
        }
        s.checkBatches(total: 25, comment: "ecsh run")
    }
}
}
