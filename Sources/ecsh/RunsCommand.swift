import ArgumentParser
import Foundation
import Lang
import Runtime

/// `ecsh runs`: the journaled runs, newest first, with their tasks' live state.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recent runs from the run journal ($XDG_STATE_HOME/ecsh/runs).",
        discussion: """
            A run is every script, -e or `ecsh run` that launched a task. STATUS is running,
            ok, failed, interrupted, or died (its process ended without a word: kill -9, a
            lost machine). Tasks whose end is not journaled are asked of ECS (DescribeTasks;
            ListTasks by the run's startedBy for a RunTask whose answer was lost).
            With --output json: one object a line (id, started, status, exitStatus, script,
            arguments, tasks, running, recovered: the tasks only ListTasks found,
            unaccounted).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many runs to show.")
    var limit = 20

    @Argument(help: ArgumentHelp("Show only this run (an id, a unique part of one, or `last`).", valueName: "run"))
    var ref: String?

    func run() throws {
        let store = RunStore(environment: ProcessInfo.processInfo.environment)
        let ids = try ref.map { [try RunCLI.find($0, store: store)] } ?? Array(store.ids().prefix(limit))
        let global = self.global.settings
        let runs = Blocking.value([]) { await RunCLI.inspect(ids, store: store, global: global) }
        if global.output == .json {
            for r in runs { print(RunCLI.json(r)) }
            return
        }
        guard !runs.isEmpty else {
            FileHandle.standardError.write(Data("ecsh: no runs journaled in \(store.directory)\n".utf8))
            return
        }
        print(RunCLI.table(runs))
        for r in runs {
            if let e = r.liveError { Report.error("run \(r.summary.id): live state unknown: \(e)") }
            for u in r.unaccounted {
                Report.error("run \(r.summary.id): a RunTask of up to \(u.count) task(s) in \(u.cluster) got no answer; its tasks carry startedBy \(u.startedBy ?? "?") (clientToken \(u.clientToken))")
            }
        }
    }
}

/// `ecsh attach RUN`: follows a run's tasks that still run, as the run would have.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Follow the tasks of a run that still run; exit as the run would have.",
        discussion: "Exit status: the first non-zero exit code of a watched container, 1 when a task failed to start or stopped without one, else 0."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Show the watched containers' log lines while waiting.")
    var logs = false

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, or `last`.", valueName: "run"))
    var ref: String

    func run() throws {
        let (store, id, session) = try RunCLI.open(ref, global: global.settings)
        let logs = self.logs
        let status = Signals.whileRunning {
            Blocking.run {
                let live = await RunCLI.inspect(id, store: store, session: session)
                if let e = live.liveError {
                    Report.error("cannot ask ECS about run \(id): \(e)")
                    return 1
                }
                let keys = await RunAttachment.adopt(live, session: session)
                FileHandle.standardError.write(Data("ecsh: run \(id) (\(live.summary.state.word)): \(keys.count) task(s), \(live.running.count) running\n".utf8))
                do {
                    return try await RunAttachment.follow(keys, logs: logs ? .watched : nil, session: session)
                } catch {
                    Report.error("\(error)")
                    return 1
                }
            }
        }
        if Interrupt.isRequested {
            FileHandle.standardError.write(Data("ecsh: interrupted; the run's tasks go on (ecsh attach \(id) follows them again, ecsh stop \(id) stops them)\n".utf8))
            throw ExitCode(130)
        }
        throw ExitCode(status)
    }
}

/// `ecsh stop RUN`: stops every task of a run that still runs.
struct StopRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop every task of a run that still runs."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, or `last`.", valueName: "run"))
    var ref: String

    func run() throws {
        let (store, id, session) = try RunCLI.open(ref, global: global.settings)
        let (text, ok) = Blocking.value(("", false)) {
            let live = await RunCLI.inspect(id, store: store, session: session)
            if let e = live.liveError { return ("ecsh: error: cannot ask ECS about run \(id): \(e)\n", false) }
            let (stopped, failed) = await RunAttachment.stop(live, session: session)
            var out = stopped.isEmpty ? "ecsh: run \(id): no task was running\n"
                : "ecsh: stopped \(stopped.count) task(s) of run \(id): \(stopped.joined(separator: ", "))\n"
            for (task, why) in failed { out += "ecsh: could not stop task \(task): \(why)\n" }
            for u in live.unaccounted {
                out += "ecsh: a RunTask of up to \(u.count) task(s) got no answer; find them with startedBy \(u.startedBy ?? "?")\n"
            }
            return (out, failed.isEmpty)
        }
        FileHandle.standardError.write(Data(text.utf8))
        if !ok { throw ExitCode(1) }
    }
}

/// What the run commands share: finding a run, a session like the run's, the table.
enum RunCLI {
    /// The run named by `ref` and a session to ask ECS about it, set up like the run's.
    static func open(_ ref: String, global: SessionSettings) throws -> (RunStore, String, ECSSession) {
        let store = RunStore(environment: ProcessInfo.processInfo.environment)
        let id = try find(ref, store: store)
        let options = try options(for: id, store: store, global: global)
        do {
            return (store, id, try options.makeSession(output: StandardOutput()))
        } catch {
            Report.error("\(error)")
            throw ExitCode(1)
        }
    }

    static func find(_ ref: String, store: RunStore) throws -> String {
        do {
            return try store.find(ref)
        } catch {
            Report.error("\(error)")
            throw ExitCode(2)
        }
    }

    /// The global options, with the run's region, profile and endpoint where none is given.
    static func options(for id: String, store: RunStore, global: SessionSettings) throws -> SessionSettings {
        let summary = try summary(id, store: store)
        var g = global
        g.region = g.region ?? summary.region
        g.profile = g.profile ?? summary.options["profile"]
        g.endpointURL = g.endpointURL ?? summary.options["endpointURL"]
        return g
    }

    static func summary(_ id: String, store: RunStore) throws -> RunSummary {
        do {
            return RunSummary(id: id, entries: try store.entries(of: id))
        } catch {
            Report.error("\(error)")
            throw ExitCode(1)
        }
    }

    static func inspect(_ id: String, store: RunStore, session: ECSSession) async -> LiveRun {
        let entries = (try? store.entries(of: id)) ?? []
        return await RunInspector.inspect(RunSummary(id: id, entries: entries)) { try await session.backend() }
    }

    /// Every run, each asked of ECS with a session like its own (sessions shared by runs
    /// of the same region, profile and endpoint).
    static func inspect(_ ids: [String], store: RunStore, global: SessionSettings) async -> [LiveRun] {
        var sessions: [String: ECSSession] = [:]
        var out: [LiveRun] = []
        for id in ids {
            guard let entries = try? store.entries(of: id) else { continue }
            let summary = RunSummary(id: id, entries: entries)
            var g = global
            g.region = g.region ?? summary.region
            g.profile = g.profile ?? summary.options["profile"]
            g.endpointURL = g.endpointURL ?? summary.options["endpointURL"]
            let key = [g.region, g.profile, g.endpointURL].map { $0 ?? "" }.joined(separator: "\n")
            let session: ECSSession?
            if let s = sessions[key] {
                session = s
            } else {
                session = try? g.makeSession(output: StandardOutput())
                sessions[key] = session
            }
            out.append(await RunInspector.inspect(summary) {
                guard let session else { throw RunStoreError("no session for region \(g.region ?? "?")") }
                return try await session.backend()
            })
        }
        return out
    }

    static func json(_ r: LiveRun) -> String {
        let s = r.summary
        var o: [String: Any] = [
            "id": s.id,
            "started": ISO8601DateFormatter().string(from: s.started),
            "status": s.state.word,
            "script": s.script ?? NSNull(),
            "arguments": s.arguments,
            "tasks": r.tasks.map(\.arn),
            "running": r.running.map(\.arn),
            "recovered": r.tasks.filter(\.recovered).map(\.arn),
            "unaccounted": r.unaccounted.map { ["cluster": $0.cluster, "clientToken": $0.clientToken, "count": $0.count,
                                                 "startedBy": $0.startedBy ?? ""] as [String: Any] },
        ]
        if case .ended(let n) = s.state { o["exitStatus"] = Int(n) } else { o["exitStatus"] = NSNull() }
        if let e = r.liveError { o["liveError"] = e }
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func table(_ runs: [LiveRun]) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var rows = [["RUN", "STARTED", "STATUS", "TASKS", "RUNNING", "SCRIPT"]]
        for r in runs {
            let s = r.summary
            let running = r.liveError == nil ? String(r.running.count) : "?"
            rows.append([s.id, f.string(from: s.started), s.state.word, String(r.tasks.count), running,
                         ([s.script ?? "?"] + s.arguments).joined(separator: " ")])
        }
        let widths = (0..<5).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            (0..<5).map { c in
                c == 3 || c == 4 ? String(repeating: " ", count: widths[c] - row[c].count) + row[c]
                    : row[c] + String(repeating: " ", count: widths[c] - row[c].count)
            }.joined(separator: "  ") + "  " + row[5]
        }.joined(separator: "\n")
    }
}
