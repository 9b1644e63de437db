import ArgumentParser
import Foundation
import Lang

/// `ecsh`: run a script, a `-e` snippet or stdin, or start the REPL on a terminal.
@main
struct Ecsh: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ecsh",
        abstract: "A scripting language and REPL for running Amazon ECS tasks.",
        discussion: """
            ecsh FILE [ARGS...]     run a script (ARGS are the script's `args`)
            ecsh -e CODE [ARGS...]  run CODE
            ecsh - [ARGS...]        run a script read from stdin
            ecsh                    start the REPL (on a terminal)
            ecsh check FILE...      parse and resolve scripts without running them
            ecsh run [OPTIONS]      run a task definition once, as `ecspresso run` does
                                    (`ecsh run --help` lists its flags)

            Options before the script (after it, words are the script's):
              --region REGION       AWS region (else AWS_REGION, AWS_DEFAULT_REGION,
                                    the profile's region, ecspresso.yml's region)
              --profile NAME        profile of ~/.aws/config and ~/.aws/credentials
              --endpoint-url URL    send ECS, CloudWatch Logs and STS calls here (moto)
              --config FILE         load an ecspresso.yml first, as config(FILE) does
              --cluster NAME        cluster for calls that name none
              --ext-str KEY=VALUE   std.extVar for Jsonnet definitions (repeatable)
              --debug               print each AWS request and response on stderr,
                                    keys, tokens and signatures redacted
              --dry-run             print register/run/stop requests as the JSON they
                                    would send, and send none
              --max-steps N         stop the script (a StepLimit error) after N loop turns
                                    and function calls; also --max-string-bytes N,
                                    --max-list-items N (for scripts one does not trust)

            Credentials come from the AWS CLI's chain: environment, web identity,
            the profile (keys, role_arn, credential_process), container, IMDSv2.
            AWS_MAX_ATTEMPTS and AWS_RETRY_MODE set retries (default: standard, 3).

            Exit status: 0 success, n for exit(n), 1 for an error in the script,
            2 for a usage error, 130 when interrupted.
            """,
        version: version,
        subcommands: [ScriptCommand.self, CheckCommand.self, RunCommand.self],
        defaultSubcommand: ScriptCommand.self
    )

    static func main() {
        Signals.unblockInterrupt()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            // Usage errors exit with 2, as documented, not ArgumentParser's 64.
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Prints diagnostics to stderr, in colour on a terminal unless NO_COLOR is set.
enum Report {
    static var useColor: Bool {
        isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    static func diagnostics(_ ds: [Diagnostic]) {
        let color = useColor
        let text = ds.map { $0.render(color: color) }.joined(separator: "\n")
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("ecsh: error: \(message)\n".utf8))
    }
}
