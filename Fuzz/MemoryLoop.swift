import Foundation
import Lang

/// Feeds many distinct inputs through one path of the language and prints the process's
/// resident memory as it goes: memory that grows with the number of inputs is kept for
/// good. Built without sanitizers by scripts/memory-loop, never by `swift build`.
///
///   memory-loop MODE N FILE...
///
/// MODE: `check` (a fresh Interpreter checks each input, as the parse fuzzer does),
/// `check-one` (one Interpreter checks every input, as the language server does),
/// `run` (a fresh Interpreter runs each input), `repl` (one Interpreter runs every input
/// as a REPL entry). Each input is one of FILE..., cut at 4 KB as the fuzzers' inputs are,
/// with a comment line of its own added.
@main
enum MemoryLoop {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 4, let n = Int(args[2]) else {
            FileHandle.standardError.write(Data("usage: memory-loop check|check-one|run|repl N FILE...\n".utf8))
            exit(2)
        }
        let mode = args[1]
        let sources = args[3...].compactMap { FileManager.default.contents(atPath: $0).map { Array($0.prefix(4096)) } }
        var limits = Limits()
        limits.maxSteps = 100_000
        limits.stackSlots = 100_000
        let one = Interpreter(output: Discard(), limits: limits, host: MemoryHost(files: ["lib.ecsh": "fn f(x) { return x }\n"]))
        let report = max(1, n / 10)
        let start = Date()
        LargeStack.run {
            for i in 0..<n {
                // Distinct text each time (a comment: in the REPL a new name each time would be
                // memory in use).
                let bytes = sources[i % sources.count] + Array("\n# input \(i)\n".utf8)
                let file = SourceFile(name: "input\(i % 7).ecsh", bytes: bytes)
                switch mode {
                case "check": _ = Interpreter(output: Discard(), limits: limits).check(file)
                case "check-one": _ = one.check(file)
                case "run": _ = Interpreter(output: Discard(), limits: limits).run(file)
                case "repl": _ = one.runREPLEntry(SourceFile(name: "<repl:\(i)>", bytes: bytes))
                default: fatalError("unknown mode \(mode)")
                }
                if (i + 1) % report == 0 || i == 0 {
                    let line = String(format: "%9d inputs  RSS %7.1f MB  %6.1fs\n", i + 1, rssMB(), Date().timeIntervalSince(start))
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            }
        }
    }

    static func rssMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }
}
