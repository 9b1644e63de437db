import Foundation
import Lang

/// libFuzzer target 1: bytes -> lexer, parser and resolver (`Interpreter.check`).
/// Diagnostics are the expected answer to most inputs; a trap or a signal is a finding.
/// Built and run by scripts/fuzz, never by `swift build`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // The resolver follows `import`, to what the fuzz host serves from memory.
    let file = SourceFile(name: "input.ecsh", bytes: bytes)
    // Parsing recurses as deep as the input nests: give it the stack a script gets.
    BigStack.shared.run { _ = Interpreter(output: Discard(), limits: checkOnly, host: fuzzHost).check(file) }
    return 0
}

/// `check` runs nothing: no value stack worth allocating for every input.
let checkOnly: Limits = {
    var l = Limits()
    l.stackSlots = 16
    return l
}()
