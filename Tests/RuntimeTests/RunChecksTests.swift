import Foundation
import Lang
import Testing
@testable import Runtime

/// What `run()` refuses before it sends anything.
@Suite struct RunChecksTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let script: String
        let message: String
        var networkMode: String? = nil
        var testDescription: String { message }
    }

    static let net = #"networkConfiguration: {awsvpcConfiguration: {subnets: ["subnet-1"]}}"#

    static let cases: [Case] = [
        Case(script: #"run(td, overrides: overrides(container: "ap", command: ["x"]))"#,
             message: "overrides name container 'ap', which task definition app does not have (it has app, sidecar)"),
        Case(script: #"run(td, launchType: "FARGATE", capacityProviderStrategy: [{capacityProvider: "FARGATE_SPOT"}], \#(net))"#,
             message: "'launchType' and 'capacityProviderStrategy' exclude each other"),
        Case(script: #"run(td, launchType: "FARGATE")"#, message: "FARGATE tasks need networkConfiguration"),
        Case(script: #"run(td)"#, message: "uses networkMode awsvpc and need networkConfiguration", networkMode: "awsvpc"),
        Case(script: #"run(td, count: 0)"#, message: "'count' must be at least 1, got 0"),
        Case(script: #"run(td, overrides: {containerOverrides: [{name: "app", command: ["x" * 9000]}]})"#,
             message: "RunTask accepts at most 8192"),
        Case(script: #"run(td, tags: {team: 1})"#, message: "'tags.team' must be a String"),
        Case(script: #"run(td, tags: [{value: "x"}])"#, message: "tags[0] must be a Map with a String 'key'"),
        Case(script: #"run(td, tags: {"aws:x": "y"})"#, message: "the aws: prefix is reserved"),
        Case(script: #"run(td, tags: range(51).map(fn(i) => {key: "k${i}", value: "v"}))"#, message: "at most 50 tags, got 51"),
        Case(script: #"run(td, networkConfiguration: {awsvpcConfig: {subnets: ["s"]}})"#,
             message: "unknown field 'awsvpcConfig' in networkConfiguration (did you mean 'awsvpcConfiguration'?)"),
        Case(script: #"run(td, networkConfiguration: {awsvpcConfiguration: {subnets: "subnet-1"}})"#,
             message: "networkConfiguration.awsvpcConfiguration.subnets must be a List"),
        Case(script: #"run(td, launchType: "LAMBDA")"#, message: "'launchType' must be EC2, FARGATE or EXTERNAL"),
        Case(script: #"run(td, clientToken: "has space")"#, message: "'clientToken' must be 1 to 64 printable ASCII"),
        Case(script: #"run(td, count: 11, clientToken: "tok")"#, message: "'clientToken' works for count up to 10"),
        Case(script: #"run(td, watch: "nope")"#, message: "watch: 'nope' is not a container of app"),
        Case(script: #"run(td, timeout: 5m)"#, message: "'timeout' and 'logs' apply only with wait: true"),
        Case(script: #"overrides(command: ["x"])"#, message: "'command' and 'env' need 'container:'"),
        Case(script: #"run(td, propagateTags: "SERVICE")"#, message: "'propagateTags' must be TASK_DEFINITION or NONE for RunTask"),
        Case(script: #"run(td, wait: true, timeout: 1e300)"#, message: "'timeout' must be at most 30 days"),
        Case(script: #"run(td, wait: "yes")"#, message: "'wait' must be a Bool"),
    ]

    @Test(arguments: cases)
    func refusedBeforeAnyCall(_ c: Case) async throws {
        let backend = FakeBackend(networkMode: c.networkMode)
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"""
            let td = taskdef("app")
            try { \#(c.script) } catch e { print(e.code, e.message) }
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out.contains(c.message), "\(r.out)")
        #expect(r.out.hasPrefix("ValueError ") || r.out.hasPrefix("TypeError "), "\(r.out)")
        #expect(!backend.calls.contains("RunTask"))
    }

    @Test func anUnknownOptionNameIsAStaticError() async {
        let sink = SessionSink()
        let session = makeSession(backend: FakeBackend(), sink: sink)
        let r = await runScript(#"run("app", lauchType: "FARGATE")"#, session: session, sink: sink)
        #expect(r.error?.contains("lauchType") == true)
        #expect(r.error?.contains("launchType") == true, "suggests the right name: \(r.error ?? "")")
    }

    @Test func configDefaultsAreOverriddenByExplicitArguments() async throws {
        let backend = FakeBackend()
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        var d = RunDefaults()
        d.cluster = "from-config"
        d.parameters = ["launchType": .string("FARGATE"), "propagateTags": .string("SERVICE"),
                        "networkConfiguration": try .parse(#"{"awsvpcConfiguration":{"subnets":["s-1"]}}"#)]
        session.setDefaults(d)
        let r = await runScript(#"""
            run("app")
            run("app", capacityProviderStrategy: [{capacityProvider: "FARGATE_SPOT", weight: 1}], cluster: "other")
            """#, session: session, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        let runs = backend.runs
        #expect(runs.count == 2)
        #expect(runs.first?.cluster == "from-config")
        #expect(runs.first?.launchType == "FARGATE")
        #expect(runs.first?.networkConfiguration?.awsvpcConfiguration?.subnets == ["s-1"])
        #expect(runs.first?.propagateTags == nil, "a service's SERVICE does not apply to RunTask")
        #expect(runs.last?.cluster == "other")
        #expect(runs.last?.launchType == nil, "the explicit strategy replaces the default launch type")
        #expect(runs.last?.capacityProviderStrategy?.first?.capacityProvider == "FARGATE_SPOT")
    }
}
