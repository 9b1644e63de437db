import Foundation
import Lang
import Synchronization
@testable import Runtime

/// Collects what a script and its session print; the log tailer writes from another task.
final class SessionSink: OutputSink, Sendable {
    private let text = Mutex(("", ""))
    var out: String { text.withLock { $0.0 } }
    var err: String { text.withLock { $0.1 } }
    func write(_ s: String) { text.withLock { $0.0 += s } }
    func writeError(_ s: String) { text.withLock { $0.1 += s } }
    func flush() {}
}

/// The outcome of a script run against a session.
struct ScriptRun: Sendable {
    let out: String
    let err: String
    let outcome: Interpreter.Outcome

    var error: String? {
        switch outcome {
        case .rejected(let ds): return ds.map(\.description).joined(separator: "\n")
        case .failed(let d): return d.description
        default: return nil
        }
    }
}

/// Fast polling for tests: moto advances a task one state per DescribeTasks.
/// The MISSING grace stays long: a loaded CI machine can take seconds between two rounds.
let testPolling = TaskPoller.Timing(initial: .milliseconds(20), maximum: .milliseconds(100), missingGrace: .seconds(60))

func makeSession(backend: any Backend, sink: SessionSink, options: SessionOptions? = nil,
                 polling: TaskPoller.Timing = testPolling) -> ECSSession {
    var o = options ?? SessionOptions(environment: ["AWS_EC2_METADATA_DISABLED": "true"], workingDirectory: NSTemporaryDirectory())
    o.polling = polling
    o.launchBackoff = .milliseconds(5)
    return ECSSession(options: o, output: { sink.write($0) }) { _ in backend }
}

/// Runs a script with the ECS built-ins of `session`, on a large stack as the CLI does;
/// its files are the machine's unless `host` says otherwise.
func runScript(_ source: String, session: ECSSession, sink: SessionSink,
               host: any ScriptHost = SystemHost()) async -> ScriptRun {
    await LargeStack.run {
        let interpreter = Interpreter(output: sink, host: host)
        ECSBuiltins.install(into: interpreter, session: session)
        let outcome = interpreter.run(SourceFile(name: "test.ecsh", text: source))
        return ScriptRun(out: sink.out, err: sink.err, outcome: outcome)
    }
}

/// Counts the operations that go through, by name.
final class CountingCaller: AWSCaller {
    let inner: any AWSCaller
    private let counts = Mutex<[String: Int]>([:])
    private let bodies = Mutex<[(String, [UInt8])]>([])

    init(_ inner: any AWSCaller) { self.inner = inner }

    func call(_ service: AWSService, _ operation: String, body: [UInt8]) async throws -> [UInt8] {
        counts.withLock { $0[operation, default: 0] += 1 }
        bodies.withLock { $0.append((operation, body)) }
        return try await inner.call(service, operation, body: body)
    }

    func count(_ operation: String) -> Int { counts.withLock { $0[operation] ?? 0 } }

    /// The request bodies of one operation, as JSON objects.
    func requests(_ operation: String) -> [[String: Any]] {
        bodies.withLock { $0 }.filter { $0.0 == operation }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.1))) as? [String: Any]
        }
    }
}
