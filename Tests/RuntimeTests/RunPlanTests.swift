import Foundation
import Lang
import OrderedCollections
import Testing
@testable import Runtime

/// The shared launch of `run()` and `ecsh run`: outcomes and the exit-status rule.
@Suite struct RunPlanTests {
    func execute(_ plan: RunPlan, _ backend: FakeBackend) async throws -> RunPlan.Outcome {
        let session = makeSession(backend: backend, sink: SessionSink())
        return try await plan.execute(definition: backend.definition, session: session)
    }

    @Test func allTasksExitingZeroIsStatusZero() async throws {
        let backend = FakeBackend(stopAfter: 1, exitCode: 0)
        let outcome = try await execute(RunPlan(count: 3, wait: true), backend)
        #expect(outcome.tasks.count == 3)
        #expect(outcome.tasks.allSatisfy { $0.task.lastStatus == "STOPPED" && $0.ok })
        #expect(outcome.timeout == nil)
        #expect(outcome.exitStatus == 0)
    }

    @Test func aNonZeroExitCodeOfTheWatchedContainerIsTheStatus() async throws {
        let backend = FakeBackend(stopAfter: 1, exitCode: 3)
        let outcome = try await execute(RunPlan(count: 2, wait: true), backend)
        #expect(outcome.tasks.allSatisfy { $0.exitCode == 3 && !$0.ok })
        #expect(outcome.exitStatus == 3)
    }

    @Test func theWatchedContainerDecides() async throws {
        let backend = FakeBackend(stopAfter: 1, exitCode: 0, exitCodes: ["sidecar": 7])
        let first = try await execute(RunPlan(wait: true), backend)
        #expect(first.exitStatus == 0, "app, the first essential container, exited 0")
        let sidecar = try await execute(RunPlan(wait: true, watch: "sidecar"), backend)
        #expect(sidecar.exitStatus == 7)
    }

    @Test func anExitCodeOutsideTheShellsRangeIsOne() async throws {
        let outcome = try await execute(RunPlan(wait: true), FakeBackend(stopAfter: 1, exitCode: 256))
        #expect(outcome.exitStatus == 1)
    }

    @Test func aTaskThatFailedToStartMakesItOne() async throws {
        let backend = FakeBackend(stopAfter: 1, exitCode: 0, placeAtMost: 1)
        // Reported at once, not tried again for room.
        var plan = RunPlan(count: 2, wait: true)
        plan.launchTimeout = .zero
        let outcome = try await execute(plan, backend)
        #expect(outcome.tasks.count == 2)
        #expect(outcome.tasks.filter(\.failedToStart).count == 1)
        #expect(outcome.tasks.first?.ok == true)
        #expect(outcome.exitStatus == 1)
    }

    @Test func noTaskStartedThrowsTaskFailedToStart() async throws {
        let backend = FakeBackend(placeAtMost: 0)
        var plan = RunPlan(wait: true)
        plan.launchTimeout = .zero
        let error = await #expect(throws: NoTaskStarted.self) { try await execute(plan, backend) }
        #expect(error?.reasons.contains { $0.contains("RESOURCE:MEMORY") } == true)
        let script = error.flatMap { ScriptErrors.domain($0, builtin: "run") }
        #expect(script?.code == "TaskFailedToStart")
        #expect(script?.message.hasPrefix("run(): no task started: RESOURCE:MEMORY") == true)
        #expect(!backend.calls.contains("DescribeTasks"))
    }

    @Test func aTimeoutIsInTheOutcomeAndMakesItOne() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let outcome = try await execute(RunPlan(count: 2, wait: true, timeout: .milliseconds(150)), backend)
        #expect(outcome.timeout?.pending.count == 2)
        #expect(outcome.timeout.flatMap { ScriptErrors.domain($0, builtin: "run") }?.code == "WaitTimeout")
        #expect(outcome.tasks.count == 2)
        #expect(outcome.tasks.allSatisfy { $0.task.lastStatus == "RUNNING" })
        #expect(outcome.exitStatus == 1)
    }

    @Test func waitingUntilRunningReturnsRunningTasksWithStatusZero() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let outcome = try await execute(RunPlan(count: 2, wait: true, until: .running), backend)
        #expect(outcome.tasks.allSatisfy { $0.task.lastStatus == "RUNNING" })
        #expect(outcome.exitStatus == 0)
    }

    @Test func withoutWaitNothingIsPolled() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let outcome = try await execute(RunPlan(count: 12), backend)
        #expect(outcome.tasks.count == 12)
        #expect(backend.calls == ["RunTask", "RunTask"])
        #expect(outcome.exitStatus == 0)
    }

    @Test func launchedSeesTheTasksBeforeTheWait() async throws {
        let backend = FakeBackend(stopAfter: 1)
        let session = makeSession(backend: backend, sink: SessionSink())
        let seen = SessionSink()
        _ = try await RunPlan(count: 2, wait: true).execute(definition: backend.definition, session: session) { tasks in
            seen.write(tasks.map { $0.task.lastStatus ?? "?" }.joined(separator: ","))
        }
        #expect(seen.out == "PROVISIONING,PROVISIONING")
    }

    @Test func parametersBecomeTheRequestAndAreChecked() throws {
        let session = makeSession(backend: FakeBackend(), sink: SessionSink())
        let definition = FakeBackend().definition
        let plan = RunPlan(parameters: [
            "launchType": .string("FARGATE"), "tags": .object(["team": .string("db")]),
            "networkConfiguration": try .parse(#"{"awsvpcConfiguration":{"subnets":["s-1"]}}"#),
            "overrides": try .parse(#"{"containerOverrides":[{"name":"app","command":["x"]}]}"#),
        ], count: 2)
        let (request, watch) = try plan.request(definition: definition, session: session)
        #expect(request.launchType == "FARGATE")
        #expect(request.tags == [Tag(key: "team", value: "db")])
        #expect(request.overrides?.containerOverrides?.first?.command == ["x"])
        #expect(request.taskDefinition == definition.taskDefinitionArn)
        #expect(request.cluster == "default")
        #expect(watch == "app")

        var wrong = plan
        wrong.parameters["overrides"] = try .parse(#"{"containerOverrides":[{"name":"ap"}]}"#)
        let error = #expect(throws: RequestError.self) { try wrong.request(definition: definition, session: session) }
        #expect(error?.message.contains("overrides name container 'ap'") == true)
        var none = plan
        none.count = 0
        #expect(throws: RequestError.value("'count' must be at least 1, got 0")) { try none.request(definition: definition, session: session) }
    }

    @Test(arguments: [("90s", 90.0), ("20m", 1200.0), ("1h30m", 5400.0), ("45", 45.0), ("0.5", 0.5)])
    func timeoutsParse(_ text: String, _ seconds: Double) {
        let d = RunPlan.parseTimeout(text)
        #expect(d.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } == seconds)
    }

    @Test(arguments: ["", "0", "-5s", "5 minutes", "721h", "1e300"])
    func badTimeoutsDoNot(_ text: String) {
        #expect(RunPlan.parseTimeout(text) == nil)
    }
}

@Suite struct ShorthandTests {
    @Test func theAWSCLINetworkConfigurationParses() throws {
        let v = try Shorthand.parse("awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}")
        #expect(try JSON.encode(v) == #"{"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"],"securityGroups":["sg-1"],"assignPublicIp":"ENABLED"}}"#)
    }

    @Test func listsMayHoldStructuresAndBeEmpty() throws {
        let v = try Shorthand.parse("a=[{k=v, w=x}], b=[], c=plain")
        #expect(try JSON.encode(v) == #"{"a":[{"k":"v","w":"x"}],"b":[],"c":"plain"}"#)
    }

    @Test(arguments: [
        ("awsvpcConfiguration={subnets=[a,b]", "expected ',' or '}' after the value of 'subnets', found the end"),
        ("awsvpcConfiguration={subnets=[a,b}", "expected ',' or ']' in the list of 'subnets', found '}'"),
        ("awsvpcConfiguration", "expected '=' after 'awsvpcConfiguration', found the end"),
        ("a=1,a=2", "'a' is given twice"),
        ("a=", "expected a value for 'a', found the end"),
        ("a=b}", "expected ',' or the end after the value of 'a', found '}'"),
        ("=b", "expected a key, found '='"),
        ("a.b=c", "'a.b' is not a key"),
    ])
    func mistakesSayWhatWasExpected(_ text: String, _ message: String) {
        let error = #expect(throws: ShorthandError.self) { try Shorthand.parse(text) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}
