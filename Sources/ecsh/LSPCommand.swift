import ArgumentParser
import Foundation
import Lang

/// `ecsh lsp`: the language server, for editors.
struct LSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve the Language Server Protocol on stdin and stdout, for editors.",
        discussion: """
            Editors start it themselves (see editors/ in the repository for a grammar and the \
            README for setting it up). It reports what `ecsh check` reports as you type, \
            completes names, built-ins, named arguments and the fields and methods of a value's \
            type, shows signatures and docs on hover, goes to definitions and lists a \
            document's symbols. It reads config and task definition files for the ECS checks \
            and makes no AWS call.
            """
    )

    func run() throws {
        let status = LargeStack.run { LanguageServer(connection: JSONRPCConnection()).serve() }
        throw ExitCode(status)
    }
}
