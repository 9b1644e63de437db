import ArgumentParser
import Foundation
import Lang
import Runtime

/// Runs a script file, `-e` code or stdin; with nothing to run on a terminal, the REPL.
struct ScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Run a script (the default: `ecsh FILE` is `ecsh script FILE`).",
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var limitOptions: LimitOptions

    @Option(name: .customShort("e"), help: "Run CODE instead of a file.")
    var code: String?

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("The script (or - for stdin), then its arguments.", valueName: "file"))
    var arguments: [String] = []

    func run() throws {
        try ScriptInvocation(code: code, arguments: arguments, settings: global.settings, limits: limitOptions.limits).run()
    }
}

/// What `ecsh [-e CODE] [FILE] [ARGS...]` runs, however its command line was read.
struct ScriptInvocation {
    var code: String?
    /// The script (or - for stdin) unless `code` is given, then its arguments.
    var arguments: [String]
    var settings: SessionSettings
    var limits: Limits

    /// Runs the script, or the REPL with nothing to run on a terminal; throws its exit status.
    func run() throws {
        var args = arguments
        if args.first == "--" { args.removeFirst() }
        let file: SourceFile
        if let code {
            file = SourceFile(name: "-e", text: code)
        } else if let path = args.first {
            args.removeFirst()
            if path == "-" {
                file = SourceFile(name: "<stdin>", bytes: Array(FileHandle.standardInput.readDataToEndOfFile()))
            } else {
                file = try ScriptFile.load(path)
            }
        } else if isatty(0) == 1 {
            let settings = self.settings
            let status = LargeStack.run { REPL(arguments: args, makeSession: settings.makeSession).run() }
            throw ExitCode(status)
        } else {
            file = SourceFile(name: "<stdin>", bytes: Array(FileHandle.standardInput.readDataToEndOfFile()))
        }
        let status = ScriptRunner.execute(file, arguments: args, global: settings, limits: limits)
        throw ExitCode(status)
    }
}

enum ScriptFile {
    /// Reads a script, turning a missing or unreadable file into a usage error (exit 2).
    static func load(_ path: String) throws -> SourceFile {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            // `ecsh --cluster c run ...`: options before a command make it a script's name.
            let hint = ["run", "check"].contains(path) ? " (options go after the command: ecsh \(path) [options])" : ""
            Report.error("cannot open '\(path)': no such file\(hint)")
            throw ExitCode(2)
        }
        guard !isDir.boolValue, let data = FileManager.default.contents(atPath: path) else {
            Report.error("cannot read '\(path)': \(isDir.boolValue ? "it is a directory" : "permission denied")")
            throw ExitCode(2)
        }
        return SourceFile(name: path, bytes: Array(data))
    }
}

enum ScriptRunner {
    /// Runs a script with the ECS built-ins, journaled; what it leaves running is listed
    /// however it ends. `resuming`: the run `ecsh resume` takes up. Returns the exit status.
    static func execute(_ file: SourceFile, arguments: [String], global: SessionSettings, limits: Limits,
                        resuming: RunSummary? = nil) -> Int32 {
        if let problem = StepNames.duplicateLiterals(in: file) {
            Report.diagnostics([problem])
            return 1
        }
        return LargeStack.run { () -> Int32 in
            let output = global.scriptOutput()
            let interpreter = Interpreter(arguments: arguments, output: output, limits: limits, host: SystemHost())
            let session: ECSSession
            do {
                session = try global.makeSession(output: output)
            } catch {
                Report.error("\(error)")
                return 1
            }
            ECSBuiltins.install(into: interpreter, session: session)
            RunJournaling.enable(session, global: global, script: file.name, bytes: file.bytes, arguments: arguments,
                                 resuming: resuming)
            return Signals.whileRunning {
                let outcome = interpreter.run(file)
                output.flush()
                let status = ScriptRunner.report(outcome)
                // Ctrl-C: stop what should stop (AWS), say what goes on running. A second
                // Ctrl-C meanwhile ends the process at once (the handler is still ours here).
                // However else the script ends, what it launched and left running is
                // listed, so that nothing runs unnoticed.
                let interrupted: String? = if case .interrupted = outcome {
                    Blocking.text { await InterruptReport.afterInterrupt(session) }
                } else { nil }
                let report = RunJournaling.finish(session, status: status, report: interrupted)
                // Local tasks end with the script, however it ends.
                session.shutdownBlocking()
                output.flush()
                FileHandle.standardError.write(Data(report.utf8))
                // The process exits next and its memory goes with it: freeing the script's
                // values one by one first (a million-item list: 40 million instructions)
                // would only delay the exit.
                _ = Unmanaged.passRetained(interpreter)
                return status
            }
        }
    }

    /// Prints what went wrong and returns the exit status.
    static func report(_ outcome: Interpreter.Outcome) -> Int32 {
        switch outcome {
        case .finished, .exited: break
        case .rejected(let ds): Report.diagnostics(ds)
        case .failed(let d): Report.diagnostics([d])
        case .interrupted: FileHandle.standardError.write(Data("ecsh: interrupted\n".utf8))
        }
        return outcome.exitStatus
    }
}

/// Ctrl-C asks the running script to stop; a second Ctrl-C ends the process at once.
enum Signals {
    /// A parent may start us with SIGINT blocked (test runners, some CI agents); Ctrl-C
    /// must still reach the script. Threads started later inherit this mask.
    static func unblockInterrupt() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    static func whileRunning<T>(_ body: () -> T) -> T {
        signal(SIGINT) { _ in
            if Interrupt.isRequested {
                ChildProcesses.killAllNow()
                _exit(130)
            }
            Interrupt.request()
        }
        defer { signal(SIGINT, SIG_DFL) }
        return body()
    }
}
