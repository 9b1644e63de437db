/// What a playbook interrupted by Ctrl-C or ended by an error leaves behind: the tasks it
/// launched that were still running when last seen, and how to stop them, so nothing runs
/// unnoticed.
public enum InterruptReport {
    /// The tasks launched in the session that had not stopped, as last seen.
    public static func running(_ session: ECSSession) -> [TrackedTask] {
        session.registry.all.filter { $0.launchedHere && !$0.isFinal && !$0.isDryRun && $0.arn != nil }
    }

    /// Lines for stderr; empty when nothing is left running.
    public static func text(for tasks: [TrackedTask], local: Bool) -> String {
        guard !tasks.isEmpty else { return "" }
        if local {
            return "ecsh: stopped \(tasks.count) local task(s) that were still running\n"
        }
        var out = "ecsh: \(tasks.count) launched task(s) were still running and go on; to stop them:\n"
        for t in tasks {
            out += "  aws ecs stop-task --cluster \(t.cluster) --task \(t.task.id ?? t.arn ?? "?")\n"
        }
        return out
    }
}
