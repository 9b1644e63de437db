import Foundation
import Lang

/// libFuzzer target 2: bytes -> a whole run of the interpreter, with the standard library
/// but no ECS built-ins, under small limits so every input ends quickly: a result or a
/// diagnostic is fine, a trap, a signal or a timeout is a finding.
/// Built and run by scripts/fuzz, never by `swift build`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRun(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let file = SourceFile(name: "input.ecsh", bytes: bytes)
    BigStack.shared.run {
        // Files and environment from memory: nothing of the machine's.
        let interpreter = Interpreter(arguments: ["a", "b"], output: Discard(), limits: fuzzLimits, host: fuzzHost)
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

/// `sleep` would wait: replaced by one that checks its argument the same way and returns.
let inertBuiltins: [Builtin] = [
    Builtin("sleep", [.init("duration")], doc: "fuzz: returns at once") { _, _ in .nil },
]
