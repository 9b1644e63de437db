import Foundation
import Lang
import Synchronization
import Testing
@testable import Runtime

/// RegisterTaskDefinition on moto (signature checking on) against ``TaskDefinitionRules``:
/// every example's task definition registers, and where moto enforces a rule it agrees
/// with ours.
@Suite struct TaskDefinitionRulesMotoTests {
    /// Forwards RegisterTaskDefinition to moto and stops the script at its first RunTask,
    /// so an example is registered for real but never run.
    final class RegisterOnly: Backend {
        let inner: AWSBackend
        let registered = Mutex<[TaskDefinitionDescription]>([])
        init(_ inner: AWSBackend) { self.inner = inner }

        func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
            let td = try await inner.registerTaskDefinition(definition)
            registered.withLock { $0.append(td) }
            return td
        }
        func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription { try await inner.describeTaskDefinition(name) }
        func listTaskDefinitions(_ r: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse { try await inner.listTaskDefinitions(r) }
        func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
            throw AWSError(code: "StopHere", message: "registered; not running", status: 400, service: .ecs, operation: "RunTask")
        }
        func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse { DescribeTasksResponse() }
        func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? { nil }
        func listTasks(_ r: ListTasksRequest) async throws -> ListTasksResponse { ListTasksResponse() }
        func getLogEvents(_ r: GetLogEventsRequest) async throws -> GetLogEventsResponse { GetLogEventsResponse() }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var examples: [String] {
        let dir = repository.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".ecsh") }.sorted()
    }

    @Test func thereAreExamples() {
        #expect(Self.examples.count >= 3, "examples/ was not found from \(Self.repository.path)")
    }

    @Test(arguments: examples)
    func everyExampleRegistersOnMoto(_ example: String) async throws {
        let moto = try Moto()
        let backend = RegisterOnly(AWSBackend(caller: moto.client()))
        let sink = SessionSink()
        var options = SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: Self.repository.path)
        options.cluster = try await moto.cluster(moto.client())
        let session = makeSession(backend: backend, sink: sink, options: options)
        let source = try String(contentsOf: Self.repository.appendingPathComponent("examples/\(example)"), encoding: .utf8)
        let r = await runScript(source, session: session, sink: sink)
        let registered = backend.registered.withLock { $0 }
        #expect(!registered.isEmpty, "\(example) registered nothing: \(r.error ?? "")")
        #expect(r.error?.contains("StopHere") == true, "\(example) should stop at its first RunTask, got: \(r.error ?? "no error")")
        for td in registered {
            let arn = try #require(td.taskDefinitionArn)
            let described = try await AWSBackend(caller: moto.client()).describeTaskDefinition(arn)
            #expect(described.family == td.family)
        }
    }

    /// Definitions on both sides of each rule moto enforces (name, image, memory or
    /// memoryReservation unless task memory, Fargate pidMode). moto is stricter than ECS in
    /// one place, left out here: with "EC2" in requiresCompatibilities it wants `memory`
    /// and refuses `memoryReservation` alone, which ECS's API reference allows.
    static let corpus: [(String, String)] = [
        ("container memory", #"{"family":"f","containerDefinitions":[{"name":"a","image":"busybox","memory":128}]}"#),
        ("no memory anywhere", #"{"family":"f","containerDefinitions":[{"name":"a","image":"busybox","essential":true}]}"#),
        ("memoryReservation only", #"{"family":"f","containerDefinitions":[{"name":"a","image":"busybox","memoryReservation":64}]}"#),
        ("task memory only", #"{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"busybox"}]}"#),
        ("one of two without memory", #"{"family":"f","containerDefinitions":[{"name":"a","image":"busybox","memory":64},{"name":"b","image":"busybox"}]}"#),
        ("no image", #"{"family":"f","containerDefinitions":[{"name":"a","memory":64}]}"#),
        ("no name", #"{"family":"f","containerDefinitions":[{"image":"busybox","memory":64}]}"#),
        ("fargate", #"{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"busybox"}]}"#),
        ("fargate pidMode host", #"{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512","pidMode":"host","containerDefinitions":[{"name":"a","image":"busybox"}]}"#),
    ]

    @Test func theRulesAgreeWithMotoWhereMotoEnforcesThem() async throws {
        let moto = try Moto()
        let backend = AWSBackend(caller: moto.client())
        var accepted: [String] = []
        for (name, json) in Self.corpus {
            let definition = try JSON.decode(json)
            let motoAccepts: Bool
            do {
                _ = try await backend.registerTaskDefinition(try JSONValue(script: definition))
                motoAccepts = true
            } catch let e as AWSError {
                #expect(e.code == "ClientException", "\(name): \(e)")
                motoAccepts = false
            }
            let problems = TaskDefinitionRules.problems(definition)
            #expect(motoAccepts == problems.isEmpty, "\(name): moto \(motoAccepts ? "accepts" : "refuses"), the rules say \(problems)")
            if motoAccepts { accepted.append(name) }
        }
        // Both outcomes occur, so agreement is not one side always saying yes.
        #expect(accepted == ["container memory", "memoryReservation only", "task memory only", "fargate"])
    }
}
