import Foundation
import Synchronization

/// The interpreter's locals for one call: a window into the shared value stack.
typealias Frame = UnsafeMutablePointer<Value>

/// Why evaluation stopped early: a script error, `exit(n)`, or Ctrl-C.
enum Unwind: Error {
    case error(RuntimeError)
    case exit(Int32)
    case interrupted
    /// A `?.` met nil: caught by the chain's OptionalChainNode, never seen outside it.
    case nilChain
}

extension Unwind {
    /// Adds the function being left to an error's call stack, in place: binding the
    /// error's payload while the Unwind still held it would copy the stack gathered so
    /// far at every frame, and a 10,000-deep recursion's error would take seconds.
    mutating func leave(function name: String, calledFrom callSite: SourceRange?) {
        guard case .error(var e) = self else { return }
        self = .interrupted
        e.leave(function: name, calledFrom: callSite)
        self = .error(e)
    }
}

/// A runtime error on its way up, collecting the call stack as frames unwind.
struct RuntimeError {
    var message: String
    var code: String
    var details: [String: Value] = [:]
    /// Where it happened.
    var range: SourceRange?
    /// Innermost first.
    var stack: [StackFrame] = []
    /// The place in the function being unwound; becomes that function's stack frame.
    var pending: SourceRange?

    init(_ message: String, code: String, at range: SourceRange?, details: [String: Value] = [:]) {
        self.message = message
        self.code = code
        self.range = range
        self.pending = range
        self.details = details
    }

    mutating func leave(function name: String, calledFrom callSite: SourceRange?) {
        if let p = pending { stack.append(StackFrame(function: name, location: p.description)) }
        pending = callSite
    }

    /// The caught error as scripts see it.
    var record: Value {
        let loc = range?.location
        var fields: [(String, Value)] = [
            ("message", .string(message)), ("code", .string(code)),
            ("line", loc.map { .int($0.line) } ?? .nil), ("column", loc.map { .int($0.column) } ?? .nil),
            ("file", range.map { .string($0.file.name) } ?? .nil),
        ]
        for (k, v) in details.sorted(by: { $0.key < $1.key }) where !fields.contains(where: { $0.0 == k }) {
            fields.append((k, v))
        }
        return .record(Record(typeName: "Error", fields: .init(uniqueKeysWithValues: fields)))
    }
}

/// Ctrl-C: the signal handler sets it; loops and calls check it.
public enum Interrupt {
    static let flag = Atomic<Bool>(false)

    /// Asks the running script to stop at its next loop turn or call. Async-signal-safe.
    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func clear() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }
}

/// Limits that turn runaway scripts into catchable errors instead of crashes.
public struct Limits: Sendable {
    /// Script-level call depth (`StackOverflow`).
    public var maxCallDepth = 10_000
    /// Values on the shared stack of locals.
    public var stackSlots = 4_000_000
    /// The most UTF-8 bytes a string may grow to (`MemoryError`).
    public var maxStringBytes = 1 << 30
    /// The most items a list may grow to (`MemoryError`).
    public var maxListCount = 100_000_000
    /// The most steps one run (a script, or one REPL entry) may take, where a step is one
    /// turn of a `while` or `for` loop or one call of a script function (`StepLimit`);
    /// nil for no limit. Only loops and calls can make a run longer than its source, so
    /// counting them bounds it, at the cost of one decrement where Ctrl-C is checked.
    public var maxSteps: Int?
    public init() {}
}

/// The state of one running interpreter: the value stack, call depth, the pending return
/// value and where output goes. One per Interpreter; used from one thread at a time.
final class Machine {
    let stackBase: Frame
    let stackEnd: Frame
    var sp: Frame
    var depth = 0
    let maxDepth: Int
    let maxStringBytes: Int
    let maxListCount: Int
    let maxSteps: Int?
    /// Steps the current run may still take; `Int.max` when there is no limit, so the
    /// count never runs out and the check costs one decrement and a branch.
    var stepsLeft = Int.max
    var returnValue: Value = .nil
    var output: any OutputSink
    /// Weak: the Interpreter owns its Machine, and a strong reference back kept both, with
    /// the value stack, alive after the host let go of them.
    weak var interpreter: Interpreter?
    /// Inside `parallel()`: the lock this thread holds while it runs script code, and its id.
    var parallelLock: InterpreterLock?
    var parallelID = 0

    init(limits: Limits, output: any OutputSink) {
        stackBase = Frame.allocate(capacity: limits.stackSlots)
        stackEnd = stackBase + limits.stackSlots
        sp = stackBase
        maxDepth = limits.maxCallDepth
        maxStringBytes = limits.maxStringBytes
        maxListCount = limits.maxListCount
        maxSteps = limits.maxSteps
        self.output = output
    }

    deinit { stackBase.deallocate() }

    func error(_ message: String, at range: SourceRange?, code: String = "RuntimeError") -> Unwind {
        .error(RuntimeError(message, code: code, at: range))
    }

    /// One step (a loop turn or a call): stops on Ctrl-C, or when the step limit is used up.
    @inline(__always) func step(at range: SourceRange) throws(Unwind) {
        stepsLeft &-= 1
        if stepsLeft < 0 { throw stepLimitReached(at: range) }
        if Interrupt.flag.load(ordering: .relaxed) { throw .interrupted }
    }

    /// Gives the next run its full allowance of steps.
    func resetSteps() { stepsLeft = maxSteps ?? .max }

    /// Once the limit is reached every further step fails too, so a `catch` can report
    /// the error but not go on looping.
    @inline(never) private func stepLimitReached(at range: SourceRange) -> Unwind {
        stepsLeft = -1
        return error("step limit reached: more than \(maxSteps ?? 0) loop turns and function calls", at: range, code: "StepLimit")
    }

    /// The lowest native stack address calls may reach before they stop with an error:
    /// very long expressions inside deep recursion use more native stack per call than
    /// the call-depth limit assumes.
    var nativeStackFloor: UInt = 0

    /// Sets `nativeStackFloor` for the calling thread, from here down by the thread's stack
    /// size less a reserve for the deepest expression one call may evaluate (10,000
    /// operators) and for the error's own unwinding: 64 MiB of a large stack, or half of
    /// a small one (512 KiB in all where the size is unknown).
    func measureNativeStack() {
        let size = Thread.current.stackSize
        let budget = size >= 256 << 20 ? size - (64 << 20) : (size > 1 << 20 ? size / 2 : 1 << 19)
        let here = nativeStackAddress()
        nativeStackFloor = here > UInt(budget) ? here - UInt(budget) : 0
    }

    @inline(__always) private func nativeStackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// A script function's call: one step, then its frame.
    @inline(__always) func pushCallFrame(_ size: Int, at range: SourceRange) throws(Unwind) -> Frame {
        try step(at: range)
        return try pushFrame(size, at: range)
    }

    /// Reserves and clears a frame of `size` slots.
    @inline(__always) func pushFrame(_ size: Int, at range: SourceRange) throws(Unwind) -> Frame {
        let f = sp
        guard depth < maxDepth, f + size <= stackEnd, nativeStackAddress() > nativeStackFloor else {
            throw error("call stack too deep (more than \(depth) nested calls)", at: range, code: "StackOverflow")
        }
        f.initialize(repeating: .nil, count: size)
        sp = f + size
        depth += 1
        return f
    }

    @inline(__always) func popFrame(_ f: Frame, _ size: Int) {
        f.deinitialize(count: size)
        sp = f
        depth -= 1
    }

    /// Runs a host's async built-in to completion while this thread waits; Ctrl-C cancels it.
    func runAsync(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
        let box = ResultBox()
        let done = DispatchSemaphoreLite()
        let task = Task {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        // Other branches of a parallel() run while this one waits.
        parallelLock?.release(parallelID)
        defer { parallelLock?.acquire(parallelID) }
        while !done.wait(milliseconds: 50) {
            if Interrupt.isRequested {
                task.cancel()
                done.waitForever()
                throw UnwindBox(.interrupted)
            }
        }
        return try box.get()
    }
}

/// The result of an async built-in, handed from the concurrency pool to the interpreter thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = Mutex<Result<Value, any Error>?>(nil)
    func set(_ r: Result<Value, any Error>) { lock.withLock { $0 = r } }
    func get() throws -> Value {
        let r = lock.withLock { $0 }
        guard let r else { throw ScriptError("internal error: async built-in returned nothing") }
        return try r.get()
    }
}
