import Foundation
import Lang
import Testing
@testable import Runtime

/// The runtime's typed errors as a script meets them: message, code and details, made in
/// one place for every built-in and for `ecsh run`.
@Suite struct ScriptErrorsTests {
    static func task(_ id: String, _ status: String) -> TrackedTask {
        var t = ECSTask(taskArn: "arn:aws:ecs:us-east-1:1:task/c/\(id)")
        t.lastStatus = status
        return TrackedTask(cluster: "c", task: t, watch: "app", definition: nil)
    }

    @Test func aPartialLaunchWithUnansweredBatchesCarriesTheTasksAndTheTokens() throws {
        let lost = UnansweredLaunch(underlying: TransportError(.dropped, "connection reset"), count: 10, clientTokens: ["tok-1"])
        let error = PartialLaunch(underlying: lost, started: [Self.task("a1", "PROVISIONING")], asked: 20)
        let e = try #require(ScriptErrors.convert(error, builtin: "run") as? ScriptError)
        #expect(e.code == "ConnectionError")
        #expect(e.message == "run(): connection reset (the RunTask request may have reached ECS: up to 10 more task(s) may have started unseen; "
            + "RunTask with the same parameters and clientToken tok-1 returns them within 24 hours)"
            + " (after 1 of 20 tasks had started: they are in the error's .tasks and in tasks())")
        guard case .list(let tasks)? = e.details["tasks"], case .list(let tokens)? = e.details["unansweredClientTokens"] else {
            Issue.record("details: \(e.details.keys.sorted())")
            return
        }
        #expect(tasks.count == 1 && tokens.count == 1)
    }

    @Test func aTimedOutWaitNamesTheBuiltinAndItsPendingTasks() throws {
        let error = WaitTimedOut(timeout: .seconds(90), goal: .stopped, total: 3, pending: [Self.task("b2", "RUNNING")])
        let e = try #require(ScriptErrors.domain(error, builtin: "wait"))
        #expect(e.code == "WaitTimeout")
        #expect(e.message == "wait(): timed out after 90s: 1 of 3 task(s) not stopped: b2 (RUNNING)")
    }

    @Test func refusalsAreValueAndTypeErrorsOfTheCaller() {
        #expect(ScriptErrors.domain(RequestError.value("'count' must be at least 1, got 0"), builtin: "run")?.code == "ValueError")
        let type = ScriptErrors.domain(RequestError.type("cluster", "a String", .int(1)), builtin: "run")
        #expect(type?.code == "TypeError" && type?.message == "run(): 'cluster' must be a String, got an Int")
        let none = ScriptErrors.domain(NoTaskStarted(reasons: ["RESOURCE:CPU"]), builtin: "run")
        #expect(none?.code == "TaskFailedToStart" && none?.message == "run(): no task started: RESOURCE:CPU")
        #expect(ScriptErrors.domain(DryRunWithoutReads(reason: "no AWS settings"), builtin: "run")?.code == "DryRun")
        #expect(ScriptErrors.domain(CancellationError(), builtin: "run") == nil, "other errors are reported as they are")
    }
}
