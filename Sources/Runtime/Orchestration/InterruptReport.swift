/// What a playbook interrupted by Ctrl-C or ended by an error leaves behind: the tasks it
/// launched that were still running when last seen, and how to stop them, so nothing runs
/// unnoticed.
/// With `--stop-on-interrupt` (or `run(..., stopOnInterrupt: true)`) Ctrl-C stops them first.
public enum InterruptReport {
    /// The tasks launched in the session that had not stopped, as last seen, and that
    /// nobody has asked to stop yet (a task stopped on an earlier Ctrl-C or by stop() is
    /// on its way down: it is neither stopped again nor reported again).
    public static func running(_ session: ECSSession) -> [TrackedTask] {
        session.registry.all.filter {
            $0.launchedHere && !$0.isFinal && !$0.isDryRun && $0.arn != nil && $0.task.desiredStatus != "STOPPED"
        }
    }

    /// StopTask for the running tasks Ctrl-C should stop (all of them with
    /// `--stop-on-interrupt`), then the lines for stderr: what was stopped, what could not
    /// be, and the command to stop each task left running. Empty when nothing runs.
    ///
    /// Local tasks are not stopped here (except in the REPL): the local backend's shutdown
    /// ends them all.
    ///
    /// - Parameter listing: false in the REPL, where the tasks stay in `tasks()`: one line
    ///   says how many run instead of a command for each.
    public static func afterInterrupt(_ session: ECSSession, listing: Bool = true) async -> String {
        let running = running(session)
        guard !running.isEmpty else { return "" }
        if session.isLocal && listing { return text(for: running, local: true) }
        let chosen = running.filter { session.options.stopOnInterrupt || $0.stopOnInterrupt }
        var stopped: Set<String> = []
        var failed: [(TrackedTask, String)] = []
        if !chosen.isEmpty {
            do {
                let backend = try await session.backend()
                let result = await TaskStopper.stop(chosen.map { ($0.cluster, $0.arn ?? "") },
                                                    reason: "Interrupted (Ctrl-C) in ecsh", backend: backend)
                // The session's view follows: tasks() shows the stop asked for.
                for answer in result.answers { session.registry.update(answer) }
                stopped = result.stopped
                failed = result.failed.compactMap { f in chosen.first { $0.arn == f.arn }.map { ($0, f.why) } }
            } catch {
                failed = chosen.map { ($0, "\(error)") }
            }
        }
        var out = ""
        if !stopped.isEmpty {
            let ids = chosen.filter { stopped.contains($0.arn ?? "") }.map { $0.task.id ?? $0.arn ?? "?" }
            out += "ecsh: stopped \(ids.count) task(s) on Ctrl-C: \(ids.joined(separator: ", "))\n"
        }
        for (t, why) in failed { out += "ecsh: could not stop task \(t.task.id ?? t.arn ?? "?"): \(why)\n" }
        let left = running.filter { !stopped.contains($0.arn ?? "") }
        if !listing {
            return left.isEmpty ? out : out + "\(left.count) task(s) still running: tasks() lists them, stop() stops them\n"
        }
        return out + text(for: left, local: false)
    }

    /// Lines for stderr about tasks left running; empty when there are none.
    public static func text(for tasks: [TrackedTask], local: Bool) -> String {
        guard !tasks.isEmpty else { return "" }
        if local {
            return "ecsh: stopped \(tasks.count) local task(s) that were still running\n"
        }
        var out = "ecsh: \(tasks.count) task(s) launched by ecsh were still running and go on; to stop them:\n"
        for t in tasks {
            out += "  aws ecs stop-task --cluster \(t.cluster) --task \(t.task.id ?? t.arn ?? "?")\n"
        }
        return out
    }
}
