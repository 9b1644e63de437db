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

/// Ctrl-C for the process: the signal handler sets it, and it stops the interpreter
/// running in the foreground (see ``Interpreter``). Each interpreter is stopped through
/// its own ``Cancellation``; this flag only says the process was asked to stop.
public enum Interrupt {
    static let flag = Atomic<Bool>(false)
    /// The cancellation of the interpreter running a script or REPL entry: an unretained
    /// reference's bit pattern, 0 for none.
    static let foreground = Atomic<UInt>(0)

    /// Asks the running script to stop at its next loop turn or call. Async-signal-safe.
    public static func request() {
        flag.store(true, ordering: .relaxed)
        if let p = UnsafeRawPointer(bitPattern: foreground.load(ordering: .acquiring)) {
            Unmanaged<Cancellation>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.request() }
        }
    }
    public static func clear() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }
}

/// Stops one interpreter: loops and calls check it, and a wait in an async built-in
/// wakes at once. A host may request it from any thread, or from a signal handler.
public final class Cancellation: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    /// Wakers of the waits in progress: one POSIX semaphore per slot, posted (an
    /// async-signal-safe call) by `request`. Slots are claimed through `used`.
    private let wakers: UnsafeMutablePointer<sem_t>
    private let used = Atomic<UInt64>(0)
    static let slots = 64

    public init() {
        wakers = .allocate(capacity: Self.slots)
        for k in 0..<Self.slots { sem_init(wakers + k, 0, 0) }
    }

    deinit {
        for k in 0..<Self.slots { sem_destroy(wakers + k) }
        wakers.deallocate()
    }

    /// Asks the interpreter to stop at its next loop turn, call or wait.
    public func request() {
        flag.store(true, ordering: .releasing)
        for k in 0..<Self.slots { sem_post(wakers + k) }
    }

    public func clear() { flag.store(false, ordering: .relaxed) }
    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// A semaphore that `request` posts, for one wait; nil when every slot is taken.
    func claimWaker() -> Int? {
        var current = used.load(ordering: .relaxed)
        while current != .max {
            let k = (~current).trailingZeroBitCount
            let (done, seen) = used.compareExchange(expected: current, desired: current | (1 << k), ordering: .acquiringAndReleasing)
            if done { return k }
            current = seen
        }
        return nil
    }

    func releaseWaker(_ k: Int) {
        // Drain posts left from earlier requests or completions before the slot is reused.
        while sem_trywait(wakers + k) == 0 {}
        used.bitwiseAnd(~(UInt64(1) << k), ordering: .acquiringAndReleasing)
    }

    func waker(_ k: Int) -> UnsafeMutablePointer<sem_t> { wakers + k }
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
    @exclusivity(unchecked) var sp: Frame
    /// The end of the slots ever initialised. Those from `sp` up to here hold values without
    /// a reference (a popped frame leaves nothing to destroy), so a VM call initialises only
    /// the part of its frame past this mark instead of filling the whole frame.
    @exclusivity(unchecked) var stackFilled: Frame
    @exclusivity(unchecked) var depth = 0
    let maxDepth: Int
    /// `FunctionPeek`'s tag, read once: a static's lazy initialisation check at every call
    /// was a tenth of a call's cost.
    let functionTag = FunctionPeek.functionTag
    /// `StringPeek`'s tag, read once for the same reason.
    let stringTag = StringPeek.stringTag
    let maxStringBytes: Int
    let maxListCount: Int
    let maxSteps: Int?
    /// Steps left in the current slice of the run's allowance. A step costs a decrement
    /// and a sign test; the cancellation and the rest of the allowance are looked at only
    /// when a slice runs out (`nextSlice`), which bounds Ctrl-C's latency by a slice.
    @exclusivity(unchecked) var stepsLeft = Machine.stepSlice
    /// The allowance beyond the current slice; `Int.max` when there is no limit.
    @exclusivity(unchecked) var stepsReserve = Int.max
    /// Steps between two looks at the cancellation: a few microseconds of a tight loop.
    static var stepSlice: Int { 1024 }
    @exclusivity(unchecked) var returnValue: Value = .nil
    @exclusivity(unchecked) var output: any OutputSink
    /// Weak: the Interpreter owns its Machine, and a strong reference back kept both, with
    /// the value stack, alive after the host let go of them.
    weak var interpreter: Interpreter?
    /// A fiber of a `parallel()`: the scheduler its waits go to, and its index.
    @exclusivity(unchecked) var fiber: (FiberScheduler, Int)?
    /// Set when a fiber parked at an async built-in; the result goes to register `waitingResult`.
    @exclusivity(unchecked) var suspended = false
    @exclusivity(unchecked) var waitingResult: Int32?
    /// The VM runs nested in native calls (a built-in calling back into a script): a fiber
    /// parks only from its outermost run.
    @exclusivity(unchecked) var runDepth = 0
    /// The VM's call stack: one record per script call the VM made without native recursion.
    @exclusivity(unchecked) var calls = CallStack()
    /// The `try` bodies the VM is in, innermost last.
    @exclusivity(unchecked) var handlers: [TryHandler] = []
    /// Stops this interpreter's script (Ctrl-C, or a host's own reason); shared by the
    /// machines of its `parallel()` calls.
    let cancellation: Cancellation

    init(limits: Limits, output: any OutputSink, cancellation: Cancellation = Cancellation()) {
        // A layout this build was not tested with would leak or skip destructors.
        precondition(TrivialPeek.matchesLayout, "internal error: the layout of script values is not the one the interpreter expects")
        self.cancellation = cancellation
        stackBase = Frame.allocate(capacity: limits.stackSlots)
        stackEnd = stackBase + limits.stackSlots
        sp = stackBase
        stackFilled = stackBase
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
        if stepsLeft < 0 { try nextSlice(at: range) }
    }

    /// The step that found its slice used up (`stepsLeft` is -1): fails when the allowance
    /// is used up or the script is cancelled, otherwise takes this step from a new slice.
    @inline(never) func nextSlice(at range: SourceRange) throws(Unwind) {
        if stepsReserve <= 0 { throw stepLimitReached(at: range) }
        if cancellation.isRequested {
            // Not taken: the next step looks again.
            stepsLeft = -1
            throw .interrupted
        }
        let slice = min(stepsReserve, Self.stepSlice)
        stepsReserve -= slice
        stepsLeft = slice - 1
    }

    /// Gives the next run its full allowance of steps.
    func resetSteps() { setAllowance(maxSteps ?? .max) }

    /// Makes `total` steps the allowance from here on.
    func setAllowance(_ total: Int) {
        stepsLeft = min(total, Self.stepSlice)
        stepsReserve = total == .max ? .max : total - stepsLeft
    }

    /// The steps still allowed, the current slice included.
    var allowance: Int { stepsReserve == .max ? .max : stepsReserve + max(stepsLeft, 0) }

    /// Once the limit is reached every further step fails too, so a `catch` can report
    /// the error but not go on looping.
    @inline(never) func stepLimitReached(at range: SourceRange) -> Unwind {
        stepsLeft = -1
        stepsReserve = 0
        return error("step limit reached: more than \(maxSteps ?? 0) loop turns and function calls", at: range, code: "StepLimit")
    }

    /// The lowest native stack address calls may reach before they stop with an error:
    /// very long expressions inside deep recursion use more native stack per call than
    /// the call-depth limit assumes.
    @exclusivity(unchecked) var nativeStackFloor: UInt = 0

    /// Sets `nativeStackFloor` for the calling thread, from here down by the thread's stack
    /// size less a reserve for the deepest expression one call may evaluate (10,000
    /// operators) and for the error's own unwinding: 64 MiB of a large stack, or half of
    /// a small one (512 KiB in all where the size is unknown).
    func measureNativeStack() {
        let size = Thread.current.stackSize
        // Half of a stack of 1 MiB or less too: all of it left no reserve at all.
        let budget = size >= 256 << 20 ? size - (64 << 20) : (size > 0 ? size / 2 : 1 << 19)
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
        for k in 0..<size { (f + k).initialize(to: .nil) }
        sp = f + size
        if sp > stackFilled { stackFilled = sp }
        depth += 1
        return f
    }

    @inline(__always) func popFrame(_ f: Frame, _ size: Int) {
        // Slot by slot: only values that hold a reference need their destructor (the
        // runtime's array destroy is a call per frame, whatever its values). What is left
        // holds no reference, as `stackFilled` requires.
        for k in 0..<size where !TrivialPeek.isTrivial(f + k) { f[k] = .nil }
        sp = f
        depth &-= 1
    }

    /// Runs a host's async built-in to completion while this thread waits; the wait ends
    /// when the built-in finishes or the interpreter is cancelled (which cancels it).
    func runAsync(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
        let box = ResultBox()
        let slot = cancellation.claimWaker()
        defer { if let slot { cancellation.releaseWaker(slot) } }
        // Without a slot of its own (more than 64 waits at once) the wait looks at the
        // cancellation every 50 ms instead of being woken.
        let done = DispatchSemaphoreLite()
        let waker = slot.map { UncheckedPointer(cancellation.waker($0)) }
        let task = Task {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
            done.signal()
            if let waker { sem_post(waker.pointer) }
        }
        while !box.isSet {
            if cancellation.isRequested {
                task.cancel()
                done.waitForever()
                throw UnwindBox(.interrupted)
            }
            if let waker {
                if sem_wait(waker.pointer) != 0, errno != EINTR { _ = done.wait(milliseconds: 50) }
            } else {
                _ = done.wait(milliseconds: 50)
            }
        }
        done.waitForever()
        return try box.get()
    }
}

/// A semaphore's address, handed to the task that posts it.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<sem_t>
    init(_ p: UnsafeMutablePointer<sem_t>) { pointer = p }
}

/// The result of an async built-in, handed from the concurrency pool to the interpreter thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = Mutex<Result<Value, any Error>?>(nil)
    func set(_ r: Result<Value, any Error>) { lock.withLock { $0 = r } }
    var isSet: Bool { lock.withLock { r in if case .some = r { return true } else { return false } } }
    func get() throws -> Value {
        let r = lock.withLock { $0 }
        guard let r else { throw ScriptError("internal error: async built-in returned nothing") }
        return try r.get()
    }
}
