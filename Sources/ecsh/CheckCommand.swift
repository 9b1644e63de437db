import ArgumentParser
import Foundation
import Lang
import Runtime

/// `ecsh check FILE...`: parse, resolve and type-check, report every error, run nothing.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check scripts without running them: syntax, names, types and ECS preflight.",
        discussion: """
            Reports every error of every file: syntax, unknown names, fields and methods a value \
            of the known type cannot have, arguments of the wrong type, and what run() would refuse \
            against a task definition read from a file (container names in overrides, FARGATE \
            without a network configuration, ...). Reads config and task definition files; makes \
            no AWS call. Exit status 1 if any file has an error, 0 if none does.
            """
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
            ECSBuiltins.install(into: interpreter, session: session)
            var failed = false
            for path in paths {
                guard let file = try? ScriptFile.load(path) else { failed = true; continue }
                // What `ecsh FILE` refuses before it runs anything.
                let ds = interpreter.check(file) + [StepNames.duplicateLiterals(in: file)].compactMap { $0 }
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
