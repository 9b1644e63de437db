import ArgumentParser
import Foundation
import Lang
import Runtime

/// `ecsh check FILE...`: parse and resolve, report every error, run nothing.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts for syntax and name errors without running them.",
        discussion: "Every error in every file is reported. Exit status 1 if any file has an error, 0 if none does."
    )

    @Argument(help: ArgumentHelp("Scripts to check.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one script to check") }
    }

    func run() throws {
        let paths = files
        let failed = LargeStack.run { () -> Bool in
            let interpreter = Interpreter()
            // Checking runs nothing: a session that never gets a backend.
            let session = ECSSession(options: SessionOptions(), output: { _ in }) { _ in
                throw AWSSetupError("ecsh check does not call AWS")
            }
            ECSBuiltins.all(session: session).forEach(interpreter.register)
            var failed = false
            for path in paths {
                guard let file = try? ScriptFile.load(path) else { failed = true; continue }
                let ds = interpreter.check(file)
                if !ds.isEmpty {
                    failed = true
                    Report.diagnostics(ds)
                }
            }
            return failed
        }
        if failed { throw ExitCode(1) }
    }
}
