import Foundation
import Lang
import Testing
@testable import Runtime

/// The built-ins over the real client and a scripted transport: what moto will not do.
@Suite struct ScriptedECSTests {
    static let taskDefinition = #"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:1:task-definition/app:3","family":"app","revision":3,"containerDefinitions":[{"name":"app","essential":true},{"name":"log","essential":false}]}}"#
    static let arn = "arn:aws:ecs:us-east-1:1:task/c/abc123"

    func session(_ steps: [ScriptedTransport.Step], retry: RetryPolicy = .standard()) -> (ECSSession, ScriptedTransport, SessionSink) {
        let transport = ScriptedTransport(steps)
        let url = URL(string: "https://ecs.us-east-1.amazonaws.com/")
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url!, .logs: url!],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                               transport: transport, retry: retry, sleeper: { _ in })
        let sink = SessionSink()
        return (makeSession(backend: AWSBackend(caller: client), sink: sink), transport, sink)
    }

    func operations(_ t: ScriptedTransport) -> [String] {
        t.requests.compactMap { $0.header("X-Amz-Target")?.split(separator: ".").last.map(String.init) }
    }

    @Test func missingIsPolledOnUntilTheTaskIsFound() async throws {
        let (session, transport, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(Self.arn)","lastStatus":"PROVISIONING"}],"failures":[]}"#),
            ScriptedTransport.json(200, #"{"tasks":[],"failures":[{"arn":"\#(Self.arn)","reason":"MISSING"}]}"#),
            ScriptedTransport.json(200, #"{"tasks":[],"failures":[{"arn":"\#(Self.arn)","reason":"MISSING"}]}"#),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(Self.arn)","lastStatus":"STOPPED","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited","containers":[{"name":"log","exitCode":0},{"name":"app","exitCode":3}]}]}"#),
        ])
        let r = await runScript(#"""
            let t = wait(run("app:3", cluster: "c"))
            print(t.exitCode, t.ok, t.stopCode, t.stoppedReason)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "3 false EssentialContainerExited Essential container in task exited\n",
                "the exit code is the first essential container's")
        #expect(operations(transport) == ["DescribeTaskDefinition", "RunTask", "DescribeTasks", "DescribeTasks", "DescribeTasks"])
    }

    @Test func aTaskMissingForTheWholeGraceFailsToStart() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(Self.arn)","lastStatus":"PROVISIONING"}],"failures":[]}"#),
        ] + Array(repeating: ScriptedTransport.json(200, #"{"tasks":[],"failures":[{"arn":"\#(Self.arn)","reason":"MISSING"}]}"#), count: 40))
        let url = try #require(URL(string: "https://ecs.us-east-1.amazonaws.com/"))
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                               transport: transport, sleeper: { _ in })
        let sink = SessionSink()
        let polling = TaskPoller.Timing(initial: .milliseconds(10), maximum: .milliseconds(20), missingGrace: .milliseconds(50))
        let session = makeSession(backend: AWSBackend(caller: client), sink: sink, polling: polling)
        let r = await runScript(#"""
            let t = wait(run("app:3", cluster: "c"), timeout: 30s)
            print(t.ok, t.stopCode, t.stoppedReason.startsWith("MISSING"))
            """#, session: session, sink: sink)
        #expect(r.out == "false TaskFailedToStart true\n", "\(r.error ?? "")")
        let describes = operations(transport).filter { $0 == "DescribeTasks" }.count
        #expect(describes >= 5, "at least 5 rounds before giving up, got \(describes)")
    }

    @Test func failuresBecomeTasksThatFailedToStart() async throws {
        let (session, _, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(Self.arn)","lastStatus":"PENDING"}],"failures":[{"arn":"arn:aws:ecs:us-east-1:1:container-instance/x","reason":"RESOURCE:MEMORY"}]}"#),
        ])
        let r = await runScript(#"""
            # Unwaited tasks have no .ok for the checker; one that failed to start is final
            # at run time, and answers.
            fn dyn(x) { return x }
            let ts = dyn(run("app:3", cluster: "c", count: 2, launchTimeout: 0s))
            print(len(ts), ts[1].ok, ts[1].lastStatus, ts[1].stopCode, ts[1].stoppedReason)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "2 false FAILED_TO_START TaskFailedToStart RESOURCE:MEMORY\n")
    }

    @Test func noTaskStartedIsAnError() async throws {
        let (session, _, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.json(200, #"{"tasks":[],"failures":[{"reason":"RESOURCE:CPU","detail":"no room"}]}"#),
        ])
        let r = await runScript(#"""
            try { run("app:3", cluster: "c", launchTimeout: 0s) } catch e { print(e.code, e.message) }
            """#, session: session, sink: sink)
        #expect(r.out == "TaskFailedToStart run(): no task started: RESOURCE:CPU: no room\n")
    }

    @Test func conflictExceptionCarriesItsResourceIds() async throws {
        let (session, _, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.json(400, #"{"__type":"ConflictException","message":"token reused","resourceIds":["\#(Self.arn)"]}"#),
        ])
        let r = await runScript(#"""
            try { run("app:3", cluster: "c", clientToken: "tok-1") } catch e { print(e.code, e.resourceIds) }
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "ConflictException [\"\(Self.arn)\"]\n")
    }

    @Test func aRetryAfterADroppedConnectionCarriesTheSameClientToken() async throws {
        let (session, transport, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            .fail(TransportError(.dropped, "connection reset after the request was sent")),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(Self.arn)","lastStatus":"PENDING"}],"failures":[]}"#),
        ])
        let r = await runScript(#"print(run("app:3", cluster: "c").id)"#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "abc123\n")
        let runs = transport.requests.filter { $0.header("X-Amz-Target")?.hasSuffix(".RunTask") == true }
        #expect(runs.count == 2)
        #expect(runs[0].body == runs[1].body)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(runs[0].body)) as? [String: Any])
        #expect((body["clientToken"] as? String)?.isEmpty == false)
    }

    static let runTaskExceptions = [
        "AccessDeniedException", "BlockedException", "ClientException", "ClusterNotFoundException", "ConflictException",
        "InvalidParameterException", "PlatformTaskDefinitionIncompatibilityException", "PlatformUnknownException",
        "ServerException", "UnsupportedFeatureException",
    ]

    @Test(arguments: runTaskExceptions)
    func everyRunTaskExceptionIsCatchableByName(_ name: String) async throws {
        let status = name == "ServerException" ? 500 : 400
        let (session, _, sink) = session([
            ScriptedTransport.json(200, Self.taskDefinition),
            ScriptedTransport.error(status, "com.amazonaws.ecs#\(name)", "it went wrong"),
        ], retry: .standard(maxAttempts: 1))
        let r = await runScript(#"""
            try { run("app:3", cluster: "c") } catch e { print(e.code) }
            """#, session: session, sink: sink)
        #expect(r.out == "\(name)\n", "\(r.error ?? "")")
    }

    @Test func anUncaughtECSErrorSaysWhatFailed() async throws {
        let (session, _, sink) = session([
            ScriptedTransport.error(400, "ClientException", "Unable to describe task definition.", requestID: "rid-9"),
        ])
        let r = await runScript(#"taskdef("nope")"#, session: session, sink: sink)
        let error = try #require(r.error)
        #expect(error.contains("DescribeTaskDefinition (task definition nope): ClientException: Unable to describe task definition."))
        #expect(error.contains("rid-9"))
    }
}

/// Waiting, stopping and dry runs over a fake backend.
@Suite struct WaitAndDryRunTests {
    @Test func aTimeoutIsACatchableErrorListingTheUnfinishedTasks() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let ts = run("app", count: 2)
            try { wait(ts, timeout: 300ms) } catch e { print(e.code, len(e.tasks), e.message.contains("2 of 2 task(s) not stopped")) }
            let s = stop(ts, "enough")
            print(s.map(fn(t) => t.stopCode))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "WaitTimeout 2 true\n[\"UserInitiated\", \"UserInitiated\"]\n")
        #expect(backend.calls.filter { $0 == "StopTask" }.count == 2)
    }

    @Test func oneDescribeTasksCallServesEveryWaitedTask() async throws {
        let backend = FakeBackend(stopAfter: 1)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let done = wait(run("app", count: 30))
            print(len(done), done.all(fn(t) => t.ok))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "30 true\n")
        #expect(backend.calls.filter { $0 == "RunTask" }.count == 3)
        #expect(backend.calls.filter { $0 == "DescribeTasks" }.count == 1)
    }

    @Test func waitUntilRunning() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"print(wait(run("app"), until: "running").lastStatus)"#, session: session, sink: sink)
        #expect(r.out == "RUNNING\n", "\(r.error ?? "")")
    }

    @Test func aDryRunPrintsTheRequestsAndSendsNone() async throws {
        let sink = SessionSink()
        let options = SessionOptions(environment: [:], workingDirectory: NSTemporaryDirectory())
        let session = ECSSession(options: options, output: { sink.write($0) }) { _ in
            DryRunBackend(reads: nil) { sink.write($0 + "\n") }
        }
        let r = await runScript(#"""
            let td = register({family: "web", containerDefinitions: [{name: "app", image: "nginx", memory: 128}]})
            let t = run(td, cluster: "prod", launchType: "FARGATE", networkConfiguration: {awsvpcConfiguration: {subnets: ["s-1"]}},
                        overrides: overrides(container: "app", command: ["true"]))
            let done = wait(t)
            print(done.dryRun, done.ok, done.arn.startsWith("dry-run:"))
            stop(t)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == #"dry-run: RegisterTaskDefinition {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128}]}"#
                || lines[0].hasPrefix("dry-run: RegisterTaskDefinition {"))
        #expect(lines[1].hasPrefix(#"dry-run: RunTask {"clientToken":""#))
        #expect(lines[1].contains(#""cluster":"prod","count":1,"launchType":"FARGATE""#))
        #expect(lines[1].contains(#""overrides":{"containerOverrides":[{"command":["true"],"name":"app"}]}"#))
        #expect(lines[1].contains(#""taskDefinition":"web""#))
        #expect(lines[2] == "true true true")
        #expect(lines[3].hasPrefix(#"dry-run: StopTask {"cluster":"prod","task":"dry-run:task/prod/"#))
    }
}

/// Tasks named by id or ARN from outside the session, partial launches, stop failures.
@Suite struct TaskReferenceTests {
    @Test func aTaskIdFromAnotherSessionIsResolvedToItsArnAndDefinition() async throws {
        let backend = FakeBackend(containers: ["log-router", "app"], stopAfter: 2, exitCode: 0)
        let first = SessionSink()
        let launch = await runScript(#"print(run("app").id)"#, session: makeSession(backend: backend, sink: first), sink: first)
        let id = launch.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!id.isEmpty, "\(launch.error ?? "")")

        let sink = SessionSink()
        let r = await runScript(#"""
            let t = wait("\#(id)")
            print(t.arn.endsWith("/\#(id)"), t.watch, t.ok, len(tasks()))
            try { wait("nope") } catch e { print(e.code) }
            """#, session: makeSession(backend: backend, sink: sink), sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "true log-router true 0\nTaskNotFound\n")
        #expect(backend.calls.contains("DescribeTaskDefinition"), "the watched container comes from the task definition")
    }

    @Test func aFailedLaterBatchCarriesTheTasksAlreadyStarted() async throws {
        let backend = FakeBackend(failRunTaskCall: 3, failRunTaskCode: "AccessDeniedException")
        let sink = SessionSink()
        let r = await runScript(#"""
            try { run("app", count: 25) } catch e { print(e.code, len(e.tasks), len(tasks())) }
            """#, session: makeSession(backend: backend, sink: sink), sink: sink)
        #expect(r.out == "AccessDeniedException 20 20\n", "\(r.error ?? "")")
    }

    @Test func aThrottledBatchGoesAgainUnderItsOwnToken() async throws {
        let backend = FakeBackend(failRunTaskCall: 3)
        let sink = SessionSink()
        let r = await runScript(#"print(len(run("app", count: 25)), len(tasks()))"#,
                                session: makeSession(backend: backend, sink: sink), sink: sink)
        #expect(r.out == "25 25\n", "\(r.error ?? "")")
        let runs = backend.runs
        #expect(runs.count == 4, "3 batches, one of them sent twice")
        let tokens = runs.compactMap(\.clientToken)
        #expect(Set(tokens).count == 3, "the repeat carries the throttled batch's token: \(tokens)")
        #expect(tokens.count == 4 && tokens.filter { $0 == tokens[2] }.count == 2)
    }

    @Test func aThousandTasksTake100RunTaskCallsAFewAtATimeAndOneRoundOf10Describes() async throws {
        let backend = FakeBackend(stopAfter: 1, runTaskDelay: .milliseconds(5))
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let ts = run("app", count: 1000, cluster: "big")
            let done = wait(ts, timeout: 60s)
            print(len(ts), len(done.filter(fn(t) => t.ok)))
            """#, session: session, sink: sink)
        #expect(r.out == "1000 1000\n", "\(r.error ?? "")")
        #expect(backend.calls.filter { $0 == "RunTask" }.count == 100)
        #expect(Set(backend.runs.compactMap(\.clientToken)).count == 100, "one token a call")
        #expect(Set(session.registry.all.compactMap(\.arn)).count == 1000, "none lost, none twice")
        #expect(backend.mostConcurrentRunTasks > 1 && backend.mostConcurrentRunTasks <= Launcher.maxConcurrentCalls)
        #expect(backend.calls.filter { $0 == "DescribeTasks" }.count == 10, "ceil(1000 / 100) in the one round needed")
    }

    @Test func stopTriesEveryTaskAndReportsTheOnesThatFailed() async throws {
        let backend = FakeBackend(stopAfter: nil, failStopSuffix: "1")
        let sink = SessionSink()
        let r = await runScript(#"""
            let ts = run("app", count: 3)
            try { stop(ts) } catch e { print(e.code, len(e.failed), e.message.contains("1 of 3 task(s) could not be stopped")) }
            """#, session: makeSession(backend: backend, sink: sink), sink: sink)
        #expect(r.out == "InvalidParameterException 1 true\n", "\(r.error ?? "")")
        #expect(backend.calls.filter { $0 == "StopTask" }.count == 3)
    }

    @Test func aWaitOutlivesAFewFailedPollingRounds() async throws {
        let arn = "arn:aws:ecs:us-east-1:1:task/c/abc123"
        let transport = ScriptedTransport([
            ScriptedTransport.json(200, ScriptedECSTests.taskDefinition),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(arn)","lastStatus":"PENDING"}]}"#),
            ScriptedTransport.error(503, "ServiceUnavailableException"),
            .fail(TransportError(.connect, "connection refused")),
            ScriptedTransport.error(400, "ThrottlingException", "Rate exceeded"),
            ScriptedTransport.json(200, #"{"tasks":[{"taskArn":"\#(arn)","lastStatus":"STOPPED","containers":[{"name":"app","exitCode":0}]}]}"#),
        ])
        let url = try #require(URL(string: "https://ecs.us-east-1.amazonaws.com/"))
        let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url],
                               credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                               transport: transport, retry: .standard(maxAttempts: 1), sleeper: { _ in })
        let sink = SessionSink()
        let r = await runScript(#"print(wait(run("app:3", cluster: "c")).ok)"#,
                                session: makeSession(backend: AWSBackend(caller: client), sink: sink), sink: sink)
        #expect(r.out == "true\n", "\(r.error ?? "")")
    }

    @Test func secretLookingEnvironmentValuesAreMaskedInADryRun() async throws {
        let sink = SessionSink()
        let options = SessionOptions(environment: [:], workingDirectory: NSTemporaryDirectory())
        let session = ECSSession(options: options, output: { sink.write($0) }) { _ in
            DryRunBackend(reads: nil) { sink.write($0 + "\n") }
        }
        let r = await runScript(#"""
            let td = register({family: "web", containerDefinitions: [{name: "app", image: "x", memory: 64,
                               environment: [{name: "DB_PASSWORD", value: "hunter2"}, {name: "MODE", value: "fast"}]}]})
            run(td, overrides: overrides(container: "app", env: {API_TOKEN: "tok-123", STAGE: "prod"}))
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(!r.out.contains("hunter2") && !r.out.contains("tok-123"))
        #expect(r.out.contains(#""value":"fast""#) && r.out.contains(#""value":"prod""#))
    }
}

/// What an interrupted playbook reports.
@Suite struct InterruptReportTests {
    @Test func runningTasksAreListedWithTheCommandToStopThem() async throws {
        let backend = FakeBackend(stopAfter: nil)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let a = run("app", cluster: "prod", count: 2)
            let done = run("app", cluster: "prod")
            stop(done)
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let running = InterruptReport.running(session)
        #expect(running.count == 2, "the stopped task is not listed")
        let text = InterruptReport.text(for: running, local: false)
        #expect(text.hasPrefix("ecsh: 2 task(s) launched by ecsh were still running and go on; to stop them:\n"))
        for t in running {
            #expect(text.contains("  aws ecs stop-task --cluster prod --task \(t.task.id ?? "")\n"))
        }
        #expect(InterruptReport.text(for: [], local: false) == "")
        #expect(InterruptReport.text(for: running, local: true) == "ecsh: stopped 2 local task(s) that were still running\n")
    }
}
