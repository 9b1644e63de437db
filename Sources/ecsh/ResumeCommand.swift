import ArgumentParser
import Foundation
import Lang
import Runtime

/// `ecsh resume RUN`: runs a run's script again, taking up where it stopped.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Run a journaled run's script again, skipping the steps it finished.",
        discussion: """
            The script runs again with the same arguments and options (region, profile,
            endpoint, config, cluster, working directory) unless given anew. step(name, fn)
            returns the recorded result of a step the run finished without running fn; the
            step that was cut short (kill, Ctrl-C, a lost machine) takes over the tasks it
            had launched instead of launching them again; a step that failed runs again.
            Code outside steps runs again: it must be deterministic. A script changed since
            the run is refused unless --force.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var limitOptions: LimitOptions

    @Flag(help: "Resume even if the script changed since the run.")
    var force = false

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, or `last`.", valueName: "run"))
    var ref: String

    @Argument(parsing: .postTerminator, help: ArgumentHelp("New arguments for the script (after --), instead of the run's.", valueName: "args"))
    var arguments: [String] = []

    func run() throws {
        let store = RunStore(environment: ProcessInfo.processInfo.environment)
        let id = try RunCLI.find(ref, store: store)
        let summary = try RunCLI.summary(id, store: store)
        if summary.state == .running {
            Report.error("run \(id) is still running (pid \(summary.pid ?? 0)): `ecsh attach \(id)` follows it")
            throw ExitCode(1)
        }
        guard let script = summary.script, script.hasPrefix("/") else {
            Report.error("run \(id) ran \(summary.script ?? "no script"): only runs of a script file can be resumed")
            throw ExitCode(2)
        }
        let args = arguments.isEmpty ? summary.arguments : arguments
        if arguments.isEmpty, args.contains(where: { $0.hasSuffix("=****") }) {
            Report.error("run \(id) had arguments whose values were not journaled (secrets): give them again after --")
            throw ExitCode(2)
        }
        if let dir = summary.options["workingDirectory"], !FileManager.default.changeCurrentDirectoryPath(dir) {
            Report.error("cannot go to the run's working directory \(dir)")
            throw ExitCode(1)
        }
        let file = try ScriptFile.load(script)
        if RunJournal.digest(file.bytes) != summary.scriptDigest, !force {
            Report.error("\(script) changed since run \(id): resuming could skip or repeat the wrong steps (--force resumes anyway)")
            throw ExitCode(1)
        }
        var g = try RunCLI.options(for: id, store: store, global: global.settings)
        g.config = g.config ?? summary.options["config"]
        g.cluster = g.cluster ?? summary.options["cluster"]
        let done = summary.steps.filter { if case .ended = $0.value { true } else { false } }.keys
        let cut = summary.steps.filter { $0.value == .started }.keys
        var note = "ecsh: resuming run \(id)"
        if !done.isEmpty { note += "; steps done: \(done.joined(separator: ", "))" }
        if !cut.isEmpty { note += "; cut short: \(cut.joined(separator: ", "))" }
        FileHandle.standardError.write(Data((note + "\n").utf8))
        throw ExitCode(ScriptRunner.execute(file, arguments: args, global: g, limits: limitOptions.limits, resuming: summary))
    }
}
