import Foundation
import Lang

/// libFuzzer target 2: bytes -> a whole run of the interpreter, with the standard library
/// but no ECS built-ins, under small limits so every input ends quickly: a result or a
/// diagnostic is fine, a trap, a signal or a timeout is a finding.
/// Built and run by scripts/fuzz, never by `swift build`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRun(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let file = SourceFile(name: "/nonexistent-ecsh-fuzz/input.ecsh", bytes: bytes)
    BigStack.shared.run {
        let interpreter = Interpreter(arguments: ["a", "b"], output: Discard(), limits: fuzzLimits)
        inertBuiltins.forEach(interpreter.register)
        _ = interpreter.run(file)
    }
    return 0
}

/// Small enough that no input runs for long or grows big; large enough for real scripts.
let fuzzLimits: Limits = {
    var l = Limits()
    l.maxSteps = 100_000
    l.maxStringBytes = 1 << 20
    l.maxListCount = 100_000
    l.stackSlots = 200_000
    return l
}()

/// Built-ins that would wait, read the machine's files or its environment, replaced by
/// ones that check their arguments the same way and do nothing.
let inertBuiltins: [Builtin] = [
    Builtin("sleep", [.init("duration")], doc: "fuzz: returns at once") { _, _ in .nil },
    Builtin("read_file", [.init("path")], doc: "fuzz: reads nothing") { _, _ in
        throw ScriptError("read_file(): not in the fuzzer", code: "IOError")
    },
    Builtin("env", [.init("name"), .optional("default")], doc: "fuzz: no environment") { a, _ in a[1] },
    Builtin("must_env", [.init("name")], doc: "fuzz: no environment") { _, _ in
        throw ScriptError("environment variable is not set", code: "EnvError")
    },
]

/// Output is thrown away: formatting it is still exercised.
final class Discard: OutputSink {
    func write(_ text: String) {}
    func writeError(_ text: String) {}
    func flush() {}
}
