import Foundation
import Runtime

/// Turns on the run journal for a script, `-e` code or `ecsh run`, and says at the end
/// what the run left running.
enum RunJournaling {
    /// Journals the session's run in `$XDG_STATE_HOME/ecsh/runs/` (made at the first
    /// RunTask). Dry runs launch nothing and `--local` tasks end with the process: neither
    /// is journaled.
    ///
    /// - Parameter resuming: the run `ecsh resume` takes up: its finished steps' results
    ///   and its cut-short step's tasks; the new run keeps its `startedBy`.
    static func enable(_ session: ECSSession, global: SessionSettings, script: String, bytes: [UInt8], arguments: [String],
                       resuming: RunSummary? = nil) {
        if let resuming { session.steps.resume(from: ResumePlan(resuming)) }
        guard !global.dryRun, !global.local else { return }
        var start = JournalEntry(.start)
        start.resumes = resuming?.id
        start.startedBy = resuming?.startedBy
        if ["-e", "<stdin>", "run"].contains(script) {
            start.script = script
        } else {
            start.script = URL(fileURLWithPath: script).standardizedFileURL.path
        }
        start.scriptDigest = RunJournal.digest(bytes)
        start.arguments = arguments.map(Redaction.argument)
        var options: [String: String] = [:]
        options["region"] = global.region
        options["profile"] = global.profile
        options["endpointURL"] = global.endpointURL
        options["config"] = global.config
        options["cluster"] = global.cluster
        options["workingDirectory"] = FileManager.default.currentDirectoryPath
        start.options = options
        start.backend = "aws"
        start.region = session.options.region ?? session.options.environment["AWS_REGION"]
            ?? session.options.environment["AWS_DEFAULT_REGION"] ?? session.defaults.region
        start.cluster = session.cluster(nil)
        session.journal.enable(store: RunStore(environment: session.options.environment), start: start)
    }

    /// The lines for stderr about tasks still running when the run ends, with the
    /// command that stops them all when the run was journaled; then the journal's end.
    ///
    /// - Parameter report: what Ctrl-C's handling already said; nil: list the running tasks here.
    static func finish(_ session: ECSSession, status: Int32, report: String? = nil) -> String {
        var text = report ?? InterruptReport.text(for: InterruptReport.running(session), local: session.isLocal)
        if text.contains("aws ecs stop-task"), let journal = session.journal.existing {
            text += "  or all of them: ecsh stop \(journal.id)\n"
        }
        session.journal.finish(status: status)
        return text
    }
}
