import ArgumentParser
import Foundation
import Lang

/// The command lines that only run a script, `ecsh FILE [ARGS...]` and
/// `ecsh -e CODE [ARGS...]` with no options, recognised without the argument parser.
///
/// Why: the parser learns the commands' options by reflection, and in a binary with
/// the Swift runtime linked statically each new type it reflects on costs a scan of every
/// protocol conformance in the binary: two thirds of the instructions of
/// `ecsh -e 'print(1)'` went there. Anything else (an option, a subcommand, `--help`)
/// still goes through the parser, which these forms agree with: once the script is named,
/// every later word is the script's.
enum DirectScript {
    /// Subcommand names (and the parser's own `help`): a first word that is one of them is
    /// the parser's to read.
    static var commandNames: Set<String> {
        Set(Ecsh.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"])
    }

    /// The script these arguments ask for, or nil when the parser must decide.
    /// `ECSH_PARSE_ALWAYS=1` turns this off (tests compare the two paths).
    static func invocation(for arguments: [String]) -> ScriptInvocation? {
        guard getenv("ECSH_PARSE_ALWAYS").map({ String(cString: $0) }) != "1", let first = arguments.first else { return nil }
        let code: String?
        let rest: [String]
        if first == "-e" {
            guard arguments.count >= 2, !arguments[1].hasPrefix("-") else { return nil }
            // After the code, an option is still the command's own, a plain word is not.
            if arguments.count > 2, arguments[2].hasPrefix("-") { return nil }
            code = arguments[1]
            rest = Array(arguments.dropFirst(2))
        } else {
            guard first == "-" || !first.hasPrefix("-"), !commandNames.contains(first) else { return nil }
            code = nil
            rest = arguments
        }
        #if DEBUG
        // The defaults of the two types are written twice; the debug build, which the
        // tests run, checks at every direct start that they agree.
        guard let parsed = try? GlobalOptions.parse([]), let limits = try? LimitOptions.parse([]) else {
            fatalError("the global options do not parse an empty command line")
        }
        precondition(parsed.settings == SessionSettings(), "SessionSettings() differs from GlobalOptions' defaults")
        precondition(limits.maxSteps == nil && limits.maxStringBytes == nil && limits.maxListItems == nil,
                     "LimitOptions has a default limit that Limits() lacks")
        #endif
        return ScriptInvocation(code: code, arguments: rest, settings: SessionSettings(), limits: Limits())
    }
}
