import Foundation
import Lang
import Synchronization
import Testing
@testable import Runtime

/// A request goes from the script's arguments to the wire with one encoding: the one that
/// sends it. (The old path wrote and re-read the overrides as JSON text at every check:
/// five encodings for one batch.)
@Suite struct EncodeOnceTests {
    /// With a journal, the launch's parameters are also encoded once for their digest.
    @Test(arguments: [(count: 1, batches: 1), (count: 15, batches: 2)], [false, true])
    func aRequestIsEncodedOncePerBatch(_ c: (count: Int, batches: Int), journaled: Bool) async throws {
        let ecs = FullClusterECS(refuse: 0, noRoom: 0)
        let session = try session(over: ecs, sink: SessionSink())
        let store = RunStore(directory: NSTemporaryDirectory() + "ecsh-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        if journaled { session.journal.enable(store: store, start: JournalEntry(.start)) }
        let definition = try #require(try WireJSON.decode(TaskDefinitionResponse.self, Array(SimulatedECS.definition.utf8),
                                                          operation: "DescribeTaskDefinition").taskDefinition)
        let counter = EncodingCounter()
        let outcome = try await WireJSON.$encodings.withValue(counter) {
            // overrides(...) and run(overrides: ...) as a script makes them, checks included.
            let overrides = try OverridesBuiltin.build(["container": .string("app"), "command": .list([.string("echo"), .string("hi")]),
                                                        "env": .map(["GREETING": .string("hello")])])
            let plan = RunPlan(parameters: ["overrides": try JSONValue(script: overrides),
                                            "tags": .object(["team": .string("db")])], count: c.count)
            return try await plan.execute(definition: definition, session: session)
        }
        #expect(outcome.tasks.count == c.count)
        #expect(counter.total == c.batches + (journaled ? 1 : 0), "encodings: \(counter.total) for \(c.batches) batch(es)")
        if journaled {
            session.journal.finish(status: 0)
            let launches = try store.entries(of: try #require(store.ids().first)).filter { $0.type == .launch }
            #expect(launches.count == c.batches && launches.allSatisfy { $0.parametersDigest != nil })
        }
        let bodies = ecs.bodiesByToken.values.flatMap { $0 }
        #expect(bodies.count == c.batches)
        for body in bodies {
            let sent = try WireJSON.decode(RunTaskRequest.self, body, operation: "RunTask")
            #expect(sent.overrides?.containerOverrides?.first?.command == ["echo", "hi"])
            #expect(sent.overrides?.containerOverrides?.first?.environment == [KeyValuePair(name: "GREETING", value: "hello")])
            #expect(sent.tags == [Tag(key: "team", value: "db")])
        }
    }

    /// RegisterTaskDefinition sends the definition as written, in its order, encoded once.
    @Test func aTaskDefinitionIsEncodedOnceInItsOrder() async throws {
        let printed = Mutex<[String]>([])
        let backend = DryRunBackend(reads: nil, print: { line in printed.withLock { $0.append(line) } })
        let counter = EncodingCounter()
        let definition = try JSONValue(script: JSON.decode(#"{"family":"app","containerDefinitions":[{"name":"app","image":"busybox","cpu":1.5}]}"#))
        let td = try await WireJSON.$encodings.withValue(counter) { try await backend.registerTaskDefinition(definition) }
        #expect(td.family == "app")
        #expect(counter.total == 1)
        #expect(printed.withLock { $0 } == [#"dry-run: RegisterTaskDefinition {"family":"app","containerDefinitions":[{"name":"app","image":"busybox","cpu":1.5}]}"#])
    }

    /// The checks before RegisterTaskDefinition read the definition without encoding it.
    @Test func aDefinitionIsReadForTheChecksWithoutEncoding() throws {
        let value = try JSON.decode(#"{"family":"app","networkMode":"awsvpc","containerDefinitions":[{"name":"app","essential":true},{"name":"log"}]}"#)
        let counter = EncodingCounter()
        let td = WireJSON.$encodings.withValue(counter) { TaskDefinitions.local(value) }
        #expect(counter.total == 0)
        #expect(td.family == "app" && td.networkMode == "awsvpc" && td.containerNames == ["app", "log"])
    }
}
