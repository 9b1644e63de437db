import ArgumentParser
import Lang

/// Limits on what a script may use, for running scripts one does not trust (a CI check of
/// a contributed playbook): going past one is a catchable error, not a hang or a crash.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-steps"),
            help: ArgumentHelp("Stop the script with a StepLimit error after n loop turns and function calls (default: no limit).", valueName: "n"))
    var maxSteps: Int?

    @Option(name: .customLong("max-string-bytes"),
            help: ArgumentHelp("The most bytes a string may grow to; more is a MemoryError (default: 1 GiB).", valueName: "n"))
    var maxStringBytes: Int?

    @Option(name: .customLong("max-list-items"),
            help: ArgumentHelp("The most items a list may grow to; more is a MemoryError (default: 100 million).", valueName: "n"))
    var maxListItems: Int?

    func validate() throws {
        for (name, value) in [("--max-steps", maxSteps), ("--max-string-bytes", maxStringBytes), ("--max-list-items", maxListItems)] {
            if let value, value < 0 { throw ValidationError("\(name) must not be negative, got \(value)") }
        }
    }

    /// The interpreter's limits: the defaults, with what was given on the command line.
    var limits: Limits {
        var l = Limits()
        l.maxSteps = maxSteps
        if let maxStringBytes { l.maxStringBytes = maxStringBytes }
        if let maxListItems { l.maxListCount = maxListItems }
        return l
    }
}
