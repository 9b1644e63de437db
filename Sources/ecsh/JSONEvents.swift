import Foundation
import Lang
import OrderedCollections
import Runtime
import Synchronization

/// `--output json`: one JSON object a line on stdout, for CI. Every object has `event`
/// and `time` (UTC, milliseconds):
///
/// - `launched`: taskArn, taskId, cluster, taskDefinitionArn, lastStatus
/// - `status`: taskArn, taskId, lastStatus, previousStatus
/// - `log`: taskArn, taskId, container, message
/// - `stopped`: a task as `result` shows it: taskArn, taskId, cluster, lastStatus (or
///   FAILED_TO_START), exitCode, ok, stopCode, stoppedReason, containers, ...
/// - `wait`: tasks, until, timeout (seconds or null)
/// - `summary`: how a wait ended (`end`: reached, timedOut, interrupted, failed), elapsed
///   seconds, tasks, ok, notOk, counts by lastStatus
/// - `warning`: message; `output`: a line the script printed (text)
/// - `result`: `ecsh run`'s outcome, the last line
final class JSONEvents: ProgressObserver, Sendable {
    static let standard = JSONEvents()

    private let lock = Mutex(())

    func observe(_ event: ProgressEvent) {
        switch event {
        case .launched(let t):
            emit("launched", task(t) + ["cluster": .string(t.cluster), "taskDefinitionArn": str(t.task.taskDefinitionArn),
                                        "lastStatus": str(t.task.lastStatus)])
        case .status(let t, let previous):
            emit("status", task(t) + ["lastStatus": str(t.task.lastStatus), "previousStatus": str(previous)])
        case .log(let line):
            emit("log", ["taskArn": str(line.taskArn), "taskId": .string(line.taskID), "container": .string(line.container),
                         "message": .string(line.message)])
        case .stopped(let t):
            emit("stopped", Self.stoppedFields(t))
        case .waitStarted(let w):
            emit("wait", ["tasks": .int(w.keys.count), "until": .string(w.goal.rawValue),
                          "timeout": w.timeout.map { .float(Self.seconds($0)) } ?? .nil])
        case .waitEnded(let w, let end):
            let tasks = w.tasks
            let ok = tasks.filter(\.ok).count
            var counts = OrderedDictionary<String, Value>()
            for c in w.counts { counts[c.status] = .int(c.count) }
            emit("summary", ["end": .string(end.rawValue), "elapsed": .float(Self.seconds(.now - w.started)),
                             "tasks": .int(tasks.count), "ok": .int(ok), "notOk": .int(tasks.filter(\.isFinal).count - ok),
                             "counts": .map(counts)])
        case .warning(let text):
            emit("warning", ["message": .string(text)])
        case .logsEnded:
            break   // JSON consumers order by `time`; nothing is held back
        }
    }

    /// Writes one event line.
    func emit(_ name: String, _ fields: OrderedDictionary<String, Value>) {
        var doc: OrderedDictionary<String, Value> = ["event": .string(name), "time": .string(Self.now())]
        for (k, v) in fields { doc[k] = v }
        let line = ((try? JSON.encode(.map(doc), indent: 0)) ?? #"{"event":"error"}"#) + "\n"
        lock.withLock { _ in FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    static func stoppedFields(_ t: TrackedTask) -> OrderedDictionary<String, Value> {
        RunPrinter.taskFields(t, ok: true)
    }

    private static func task(_ t: TrackedTask) -> OrderedDictionary<String, Value> {
        ["taskArn": str(t.arn), "taskId": str(t.task.id)]
    }

    private func task(_ t: TrackedTask) -> OrderedDictionary<String, Value> { Self.task(t) }

    static func seconds(_ d: Duration) -> Double {
        ((Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000).rounded() / 1000
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

private func str(_ s: String?) -> Value { s.map(Value.string) ?? .nil }

extension OrderedDictionary<String, Value> {
    static func + (a: Self, b: Self) -> Self {
        var out = a
        for (k, v) in b { out[k] = v }
        return out
    }
}

/// A script's output under `--output json`: each line it prints becomes an `output`
/// event, so stdout carries nothing but events.
final class JSONOutputSink: OutputSink, @unchecked Sendable {
    // The interpreter's thread writes; the session writes only while that thread is
    // parked in a built-in, so one lock-free buffer suffices.
    private var pending = ""
    let events: JSONEvents

    init(events: JSONEvents) { self.events = events }

    func write(_ text: String) {
        pending += text
        while let nl = pending.firstIndex(of: "\n") {
            events.emit("output", ["text": .string(String(pending[..<nl]))])
            pending = String(pending[pending.index(after: nl)...])
        }
    }

    func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    func flush() {
        guard !pending.isEmpty else { return }
        events.emit("output", ["text": .string(pending)])
        pending = ""
    }
}
