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
            ecsh check FILE...      check scripts (syntax, names, types, ECS preflight)
                                    without running them
            ecsh lsp                the language server, for editors
            ecsh run [OPTIONS]      run a task definition once, as `ecspresso run` does
                                    (`ecsh run --help` lists its flags; the options
                                    below may come before or after `run`)
            ecsh runs [RUN]         journaled runs: status, tasks, still running
            ecsh attach RUN         follow a run's running tasks, exit as it would
            ecsh stop RUN           stop every task of a run still running
            ecsh resume RUN         run its script again, skipping finished steps

            Options before the script (after it, words are the script's):
              --region REGION       AWS region (else the config's region, AWS_REGION,
                                    AWS_DEFAULT_REGION, the profile's region)
              --profile NAME        profile of ~/.aws/config and ~/.aws/credentials
              --endpoint-url URL    send ECS, CloudWatch Logs, STS, SSM, Secrets Manager
                                    and S3 calls here (moto)
              --config FILE         load an ecspresso config first, as config(FILE) does
                                    (else ECSPRESSO_CONFIG)
              --cluster NAME        cluster for calls that name none
              --ext-str KEY=VALUE   std.extVar for Jsonnet configs and definitions
                                    (repeatable; --ext-code KEY=CODE for code)
              --envfile FILE        KEY=VALUE lines added to the environment (repeatable)
              --assume-role-arn ARN make every AWS call as this role
              --debug               print each AWS request and response on stderr,
                                    keys, tokens and signatures redacted
              --dry-run             print register/run/stop requests as the JSON they
                                    would send, and send none
              --output json         JSON events on stdout, one a line (launched, status,
                                    log, stopped, summary; the script's own lines as
                                    output events)
              --progress MODE       live (a block redrawn on a terminal), lines (a line
                                    a change), off; default: live on a terminal
              --no-color            no colours (NO_COLOR=1 does the same)
              --stop-on-interrupt   on Ctrl-C, stop the tasks still running (else they
                                    are listed with the command to stop each)
              --poll-interval D     first interval between looks at waited tasks (1s)
              --poll-max D          the longest interval (10s)
              --local               run tasks as local processes, no AWS needed
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
        subcommands: [ScriptCommand.self, CheckCommand.self, RunCommand.self, LSPCommand.self, RunsCommand.self, AttachCommand.self, StopRunCommand.self, ResumeCommand.self],
        defaultSubcommand: ScriptCommand.self
    )

    static func main() {
        Signals.unblockInterrupt()
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if let direct = DirectScript.invocation(for: arguments) {
                try direct.run()
                return
            }
            var command = try parseAsRoot(GlobalOptions.hoisted(arguments))
            try command.run()
        } catch let exit as ExitCode {
            // The usual end of a script: asking the parser for the code would build its
            // help text, by reflection, only to throw it away.
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            // Usage errors exit with 2, as documented, not ArgumentParser's 64.
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Prints diagnostics to stderr, in colour on a terminal unless NO_COLOR or --no-color says not to.
enum Report {
    static var useColor: Bool { Terminal.color(2) }

    static func diagnostics(_ ds: [Diagnostic]) {
        let color = useColor
        let text = ds.map { $0.render(color: color) }.joined(separator: "\n")
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("ecsh: error: \(message)\n".utf8))
    }
}
