import Foundation
import OrderedCollections

/// `parallel(items, fn, limit: N, failFast: false)`: `fn(item)` for every item, at most N
/// calls in flight, results in input order.
///
/// Each call is a fiber of the VM on the calling thread, with a machine (value stack) of its
/// own; closures and globals are shared, as they are heap cells and stores. A fiber runs
/// until it finishes or calls an async built-in (a RunTask, a wait), which is started and
/// left to run while the next runnable fiber goes on, so script code never runs two at once
/// and code that does not wait runs in input order. No thread per call, no lock.
enum Parallel {
    static func builtin() -> Builtin {
        Builtin("parallel", [.init("items", type: .union([.list(.any), .range])), .init("fn", type: .function(nil)),
                             .init("limit", .named, default: .int(4), type: .int),
                             .init("failFast", .named, default: .bool(false), type: .bool)],
                doc: "Calls fn(item) for every item, at most limit calls at once, each free to run, wait and branch; returns the results in input order. Errors are raised once the calls in flight end, with .results (nil where a call failed) and .errors; failFast: true starts no call after the first error.") { a, ctx in
            let items: [Value]
            switch a[0] {
            case .list(let l): items = l
            case .range(let r):
                guard let n = r.count, n <= ctx.machine.maxListCount else {
                    throw ScriptError("parallel(): the range is too large", code: "MemoryError")
                }
                items = (0..<n).map { .int(r.element($0)) }
            case let v: throw a.typeError("items", "a List", v)
            }
            guard case .int(let limit) = a[2], limit >= 1 else {
                throw ScriptError("parallel(): 'limit' must be an Int of at least 1", code: "ValueError")
            }
            guard case .bool(let failFast) = a[3] else { throw a.typeError("failFast", "a Bool", a[3]) }
            switch a[1] {
            case .function, .builtin: break
            case let v: throw a.typeError("fn", "a Function", v)
            }
            return try Fanout(items: items, fn: a[1], limit: limit, failFast: failFast, ctx: ctx).run()
        }
        .returning { call in
            // The results of fn, in input order.
            if case .function(let f?)? = call["fn"]?.type { return .list(f.result) }
            return .list(.any)
        }
    }
}

/// One `parallel()` call in progress: its fibers and what they gave.
private final class Fanout {
    let items: [Value]
    let fn: Value
    let limit: Int
    let failFast: Bool
    let parent: Machine
    let range: SourceRange
    let scheduler: FiberScheduler

    var results: [Value?]
    var errors: [(index: Int, error: RuntimeError)] = []
    /// An `exit(n)` or Ctrl-C in a call: it ends the whole script once the calls in flight end.
    var unwind: Unwind?
    var next = 0
    var fibers: [Int: Fiber] = [:]

    init(items: [Value], fn: Value, limit: Int, failFast: Bool, ctx: CallContext) {
        self.items = items
        self.fn = fn
        self.limit = limit
        self.failFast = failFast
        parent = ctx.machine
        range = ctx.range
        results = Array(repeating: nil, count: items.count)
        scheduler = FiberScheduler(cancellation: ctx.machine.cancellation)
    }

    func run() throws -> Value {
        guard !items.isEmpty else { return .list([]) }
        defer { scheduler.finish() }
        fill()
        while !fibers.isEmpty {
            // Fibers whose waits ended go on in the order they were started.
            for (index, outcome) in scheduler.waitForCompletions().sorted(by: { $0.0 < $1.0 }) {
                guard let fiber = fibers[index] else { continue }
                note(index, fiber.resume(outcome))
            }
            fill()
            if parent.cancellation.isRequested { scheduler.cancelAll() }
        }
        if let unwind { throw UnwindBox(unwind) }
        let partial = Value.list(results.map { $0 ?? .nil })
        guard let first = errors.min(by: { $0.index < $1.index }) else { return partial }
        let records = errors.sorted { $0.index < $1.index }.map { e -> Value in
            var fields = OrderedDictionary<String, Value>()
            fields["index"] = .int(e.index)
            fields["message"] = .string(e.error.message)
            fields["code"] = .string(e.error.code)
            return .record(Record(typeName: "Error", fields: fields))
        }
        let what = errors.count == 1 ? "1 call" : "\(errors.count) calls"
        throw ScriptError("parallel(): \(what) of \(items.count) failed; the first (item \(first.index)): \(first.error.message)",
                          code: first.error.code == "Error" ? "ParallelError" : first.error.code,
                          details: ["results": partial, "errors": .list(records)])
    }

    /// Starts calls while there is room and nothing stops them.
    private func fill() {
        while fibers.count < limit, next < items.count, unwind == nil, !(failFast && !errors.isEmpty) {
            let index = next
            next += 1
            let fiber = Fiber(parent.branch(), index: index, scheduler: scheduler)
            fibers[index] = fiber
            note(index, fiber.start(fn, items[index], at: range))
        }
    }

    /// Takes note of how a fiber's turn ended.
    private func note(_ index: Int, _ state: Fiber.State) {
        switch state {
        case .waiting: return
        case .finished(.success(let v)): results[index] = v
        case .finished(.failure(.error(let e))): errors.append((index, e))
        case .finished(.failure(.nilChain)): results[index] = .nil
        case .finished(.failure(let u)): if unwind == nil { unwind = u }
        }
        fibers[index] = nil
    }
}

/// One call of a `parallel()`: a machine of its own, run by the VM until it waits.
final class Fiber {
    enum State {
        case waiting
        case finished(Result<Value, Unwind>)
    }

    let machine: Machine
    let index: Int
    private var state: VMState?
    private var entry: Frame?
    private var function = ""
    private var callSite: SourceRange?

    init(_ machine: Machine, index: Int, scheduler: FiberScheduler) {
        self.machine = machine
        self.index = index
        machine.fiber = (scheduler, index)
    }

    /// Calls `fn(item)`: in the VM when fn is a script function taking one argument,
    /// otherwise as any call (a wait inside it then holds up the other fibers).
    func start(_ fn: Value, _ item: Value, at range: SourceRange) -> State {
        guard case .function(let clo) = fn, clo.proto.arity == 1 else {
            do throws(Unwind) {
                return .finished(.success(try machine.callValue(fn, [item], at: range)))
            } catch {
                return .finished(.failure(error))
            }
        }
        let p = clo.proto
        let code = p.code
        function = p.name
        let f: Frame
        do throws(Unwind) {
            f = try machine.pushCallFrame(code.frameSize, at: range)
        } catch {
            return .finished(.failure(error))
        }
        f[0] = item
        if p.needsSetup {
            for s in p.boxedParameters { f[s] = .cell(Cell(f[s])) }
            for (k, s) in p.captureSlots.enumerated() { f[s] = .cell(clo.captures[k]) }
        }
        entry = f
        callSite = range
        var s = VMState(code: code.header, f: f, pc: code.instructions)
        return proceed(&s, pending: nil, keep: clo)
    }

    /// Goes on after the wait ended with `outcome`.
    func resume(_ outcome: Result<Value, Unwind>) -> State {
        guard var s = state else { return .finished(outcome) }
        state = nil
        switch outcome {
        case .success(let v):
            if let dst = machine.waitingResult, dst >= 0 { s.f[Int(dst)] = v }
            return proceed(&s, pending: nil, keep: nil)
        case .failure(let u):
            return proceed(&s, pending: u, keep: nil)
        }
    }

    private var closure: Closure?

    private func proceed(_ s: inout VMState, pending: Unwind?, keep: Closure?) -> State {
        if let keep { closure = keep }
        guard let entry else { return .finished(.success(.nil)) }
        do throws(Unwind) {
            let v = try machine.execute(&s, base: 0, entryFrame: entry, pending: pending)
            if machine.suspended {
                machine.suspended = false
                state = s
                return .waiting
            }
            machine.popFrame(entry, s.code.frameSize)
            return .finished(.success(v))
        } catch var u {
            machine.popFrame(entry, s.code.frameSize)
            u.leave(function: function, calledFrom: callSite)
            return .finished(.failure(u))
        }
    }
}

/// The async built-ins the fibers of one `parallel()` wait for, and their results.
final class FiberScheduler: @unchecked Sendable {
    private let cancellation: Cancellation
    private let lock = NSLock()
    private var completions: [(Int, Result<Value, Unwind>)] = []
    private var tasks: [Int: Task<Void, Never>] = [:]
    private let slot: Int?
    /// Used only when every waker slot is taken.
    private let fallback = DispatchSemaphoreLite()

    init(cancellation: Cancellation) {
        self.cancellation = cancellation
        slot = cancellation.claimWaker()
    }

    func finish() {
        if let slot { cancellation.releaseWaker(slot) }
    }

    /// Starts fiber `index`'s built-in; its result comes back through `waitForCompletions`.
    func start(_ index: Int, _ b: Builtin, _ body: @escaping @Sendable (Arguments) async throws -> Value, _ args: Arguments,
               at range: SourceRange, machine: Machine) {
        let waker = slot.map { UncheckedSemaphore(cancellation.waker($0)) }
        let fallback = fallback
        let convert = UncheckedConverter { error in machine.hostError(error, b, at: range) }
        tasks[index] = Task { [self] in
            let outcome: Result<Value, Unwind>
            do { outcome = .success(try await body(args)) } catch { outcome = .failure(convert.body(error)) }
            lock.withLock { completions.append((index, outcome)) }
            if let waker { sem_post(waker.pointer) } else { fallback.signal() }
        }
    }

    /// Blocks until at least one built-in finished (or the interpreter is cancelled).
    func waitForCompletions() -> [(Int, Result<Value, Unwind>)] {
        while true {
            let done = lock.withLock { () -> [(Int, Result<Value, Unwind>)] in
                let d = completions
                completions.removeAll()
                return d
            }
            if !done.isEmpty {
                for (k, _) in done { tasks[k] = nil }
                return done
            }
            if cancellation.isRequested { cancelAll() }
            if let slot {
                if sem_wait(cancellation.waker(slot)) != 0, errno != EINTR { usleep(1000) }
            } else {
                _ = fallback.wait(milliseconds: 50)
            }
        }
    }

    func cancelAll() {
        for t in tasks.values { t.cancel() }
    }
}

/// What crosses into a built-in's task: only used there, after the fiber is parked.
private struct UncheckedSemaphore: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<sem_t>
    init(_ p: UnsafeMutablePointer<sem_t>) { pointer = p }
}

private struct UncheckedConverter: @unchecked Sendable {
    let body: (any Error) -> Unwind
}

extension Machine {
    /// A machine for one call of a `parallel()`: its own value stack, the same limits,
    /// output and module loader, what is left of the step allowance.
    func branch() -> Machine {
        var limits = Limits()
        limits.maxCallDepth = maxDepth
        limits.stackSlots = min(stackBase.distance(to: stackEnd), 1 << 20)
        limits.maxStringBytes = maxStringBytes
        limits.maxListCount = maxListCount
        limits.maxSteps = maxSteps
        let m = Machine(limits: limits, output: output, cancellation: cancellation)
        m.interpreter = interpreter
        m.setAllowance(allowance)
        m.measureNativeStack()
        return m
    }
}
