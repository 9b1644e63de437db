import ArgumentParser
import Foundation
import Lang
import OrderedCollections
import Runtime

/// What `ecsh run` prints: ARNs, or a line a task after `--wait`, or with `--output json`
/// JSON events on stdout ending with a `result` (dry-run lines then go to stderr).
struct RunPrinter: Sendable {
    let json: Bool
    let wait: Bool
    /// A progress display shows each launch and stop (with `--wait`); else this says
    /// "started", and the stops are printed only at the end.
    var progressShowsLaunches = false

    /// Where the session prints log lines and dry-run requests.
    var sink: any OutputSink { StreamSink(toStandardError: json) }

    func launched(_ tasks: [TrackedTask]) {
        guard !json else { return }
        for t in tasks {
            if let arn = t.arn {
                if !wait {
                    Self.out(arn)
                } else if !progressShowsLaunches || t.isDryRun {
                    Self.err("started \(arn)")
                }
            } else {
                Self.err("ecsh: a task failed to start: \(Self.reason(t) ?? "no reason given")")
            }
        }
    }

    func finished(_ outcome: RunPlan.Outcome, definition: TaskDefinitionDescription) {
        if let timeout = outcome.timeout, let e = ScriptErrors.domain(timeout, builtin: "run") { Report.error(Self.plain(e.message)) }
        if json {
            JSONEvents.standard.emit("result", document(outcome, definition: definition))
        } else if wait {
            // Into one log with stderr, the progress lines already said how each task ended.
            let shown = progressShowsLaunches && StandardStreams.shareDestination
            for t in outcome.tasks where !shown || t.isDryRun { Self.out(Self.line(t)) }
        }
    }

    /// Reports an error that ended the run; returns the exit status.
    func failed(_ error: any Error) -> Int32 {
        // The runtime's own errors read as run() raises them, as they always have.
        switch ScriptErrors.domain(error, builtin: "run") ?? error {
        case is CancellationError:
            Self.err("ecsh: interrupted")
            return 130
        case let e as ScriptError:
            Report.error(Self.plain(e.message))
            // The checks before any call: what was asked for cannot be run.
            return ["ValueError", "TypeError"].contains(e.code) ? 2 : 1
        case let e as ValidationError:
            Report.error(e.message)
            return 2
        default:
            Report.error("\(error)")
            return 1
        }
    }

    /// `task abc123 STOPPED exit 0`, with the reason when it did not end well.
    static func line(_ t: TrackedTask) -> String {
        let id = t.task.id ?? "-"
        if t.failure != nil { return "task \(id) FAILED_TO_START (\(reason(t) ?? "no reason given"))" }
        let status = t.task.lastStatus ?? "?"
        guard t.isFinal else { return "task \(id) \(status)" }
        var s = "task \(id) \(status) exit \(t.exitCode.map(String.init) ?? "-")"
        if !t.ok, let why = reason(t) { s += " (\(why))" }
        return s
    }

    static func reason(_ t: TrackedTask) -> String? {
        if let f = t.failure { return [f.reason, f.detail].compactMap { $0 }.joined(separator: ": ") }
        let parts = [t.task.stopCode, t.task.stoppedReason].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    /// One task as `--output json` shows it; `ok` once it has been waited for.
    static func taskFields(_ t: TrackedTask, ok: Bool) -> OrderedDictionary<String, Value> {
        func str(_ s: String?) -> Value { s.map(Value.string) ?? .nil }
        let containers: [Value] = (t.task.containers ?? []).map { c in
            .map(["name": str(c.name), "lastStatus": str(c.lastStatus), "exitCode": c.exitCode.map(Value.int) ?? .nil,
                  "reason": str(c.reason)])
        }
        var m: OrderedDictionary<String, Value> = [
            "taskArn": str(t.arn), "taskId": str(t.task.id), "cluster": .string(t.cluster),
            "taskDefinitionArn": str(t.task.taskDefinitionArn),
            "lastStatus": str(t.failure != nil ? "FAILED_TO_START" : t.task.lastStatus),
            "desiredStatus": str(t.task.desiredStatus), "watch": str(t.watch),
            "exitCode": t.exitCode.map(Value.int) ?? .nil,
            "stopCode": str(t.failure != nil ? (t.task.stopCode ?? "TaskFailedToStart") : t.task.stopCode),
            "stoppedReason": str(Self.reason(t) ?? t.task.stoppedReason),
            "containers": .list(containers),
        ]
        if ok { m["ok"] = .bool(t.ok) }
        if t.isDryRun { m["dryRun"] = .bool(true) }
        return m
    }

    /// The `result` event: the whole run, the last line of `--output json`.
    func document(_ outcome: RunPlan.Outcome, definition: TaskDefinitionDescription) -> OrderedDictionary<String, Value> {
        var doc: OrderedDictionary<String, Value> = [
            "taskDefinition": (definition.taskDefinitionArn ?? definition.family).map(Value.string) ?? .nil,
            "waited": .bool(wait),
            "timedOut": .bool(outcome.timeout != nil),
            "exitCode": .int(Int(outcome.exitStatus)),
            "tasks": .list(outcome.tasks.map { .map(Self.taskFields($0, ok: wait)) }),
        ]
        if !wait { doc.removeValue(forKey: "timedOut") }
        return doc
    }

    /// A ScriptError's message without the `run(): ` a script needs and a command line does not.
    static func plain(_ message: String) -> String {
        NetworkHint.forCommandLine(message.hasPrefix("run(): ") ? String(message.dropFirst(7)) : message)
    }

    static func out(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    static func err(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// The session's output for `ecsh run`: stdout, or stderr when stdout is for JSON.
final class StreamSink: OutputSink, Sendable {
    let toStandardError: Bool
    init(toStandardError: Bool) { self.toStandardError = toStandardError }

    func write(_ text: String) {
        (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
    }

    func writeError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    func flush() {}
}
