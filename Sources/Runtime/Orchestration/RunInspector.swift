import Foundation

/// A run's journal completed with what ECS says now: the tasks of batches whose answer
/// was lost (found by the run's `startedBy`) and the live state of every task the journal
/// does not know to have stopped. `ecsh runs`, `ecsh attach` and `ecsh stop` see runs so.
public struct LiveRun: Sendable {
    public struct Task: Sendable {
        public var arn: String
        public var cluster: String
        public var watch: String?
        /// As ECS has it now, or as the journal last recorded it; nil when neither knows.
        public var task: ECSTask?
        /// Found through ListTasks, not in an answer the journal holds.
        public var recovered: Bool

        public var isStopped: Bool { task?.isStopped ?? false }
    }

    public var summary: RunSummary
    public var tasks: [Task]
    /// Batches with a `startedBy` of the script's own, whose answer was lost: ListTasks
    /// cannot tell their tasks from others started so, and they are reported, not guessed.
    public var unaccounted: [RunSummary.Unanswered]
    /// Why ECS could not be asked (no credentials, say): tasks keep their journaled state.
    public var liveError: String?

    public var running: [Task] { tasks.filter { !$0.isStopped } }
}

public enum RunInspector {
    /// Asks ECS only what the journal cannot answer; a run whose tasks all stopped on record
    /// costs no call.
    public static func inspect(_ summary: RunSummary, backend: () async throws -> any Backend) async -> LiveRun {
        var tasks = summary.tasks.map { arn, info in
            LiveRun.Task(arn: arn, cluster: info.cluster, watch: info.watch, task: journaled(summary.final[arn], arn: arn),
                         recovered: false)
        }
        let own = summary.unanswered.filter { $0.startedBy == summary.startedBy }
        let unaccounted = summary.unanswered.filter { $0.startedBy != summary.startedBy }
        let toDescribe = tasks.filter { !$0.isStopped }
        guard !own.isEmpty || !toDescribe.isEmpty else {
            return LiveRun(summary: summary, tasks: tasks, unaccounted: unaccounted)
        }
        do {
            let backend = try await backend()
            var known = Set(tasks.map(\.arn))
            for cluster in Set(own.map(\.cluster)).sorted() {
                let found = try await TaskLister.tasks(cluster: cluster, startedBy: summary.startedBy, backend: backend)
                let watch = own.first { $0.cluster == cluster }?.watch
                for t in found {
                    guard let arn = t.taskArn, known.insert(arn).inserted else { continue }
                    tasks.append(LiveRun.Task(arn: arn, cluster: cluster, watch: watch, task: t, recovered: true))
                }
            }
            var byCluster: [String: [String]] = [:]
            for t in tasks where !t.isStopped && !t.recovered { byCluster[t.cluster, default: []].append(t.arn) }
            let answer = try await TaskDescriber.describe(byCluster, backend: backend)
            let byArn = Dictionary(answer.tasks.compactMap { t in t.taskArn.map { ($0, t) } }) { a, _ in a }
            for i in tasks.indices where !tasks[i].recovered {
                if let t = byArn[tasks[i].arn] { tasks[i].task = t }
            }
            return LiveRun(summary: summary, tasks: tasks, unaccounted: unaccounted)
        } catch {
            return LiveRun(summary: summary, tasks: tasks, unaccounted: unaccounted, liveError: "\(error)")
        }
    }

    /// The journal's `task` line as a task: enough for its status and exit code.
    static func journaled(_ e: JournalEntry?, arn: String) -> ECSTask? {
        guard let e else { return nil }
        var t = ECSTask(taskArn: arn)
        t.lastStatus = e.lastStatus
        t.desiredStatus = e.lastStatus == "STOPPED" ? "STOPPED" : nil
        t.stopCode = e.stopCode
        if let code = e.exitCode {
            var c = Container(name: e.watch)
            c.exitCode = code
            t.containers = [c]
        }
        return t
    }
}
