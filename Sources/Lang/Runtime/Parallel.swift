import Foundation
import OrderedCollections

/// `parallel(items, fn, limit: N, failFast: false)`: `fn(item)` for every item, at most N
/// calls in flight, results in input order.
///
/// Each call runs on a thread of its own with a machine (value stack) of its own; closures
/// and globals are shared, as they are heap cells and stores. All of them take turns on one
/// ``InterpreterLock``, handed over only when a call waits in an async built-in, so script
/// code never runs on two threads at once and code that does not wait runs in input order.
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

/// One `parallel()` call in progress. Its fields change only under the interpreter lock.
private final class Fanout: @unchecked Sendable {
    let items: [Value]
    let fn: Value
    let limit: Int
    let failFast: Bool
    let parent: Machine
    let range: SourceRange
    let lock: InterpreterLock
    let ownsLock: Bool
    let done = DispatchSemaphoreLite()

    var results: [Value?]
    var errors: [(index: Int, error: RuntimeError)] = []
    /// An `exit(n)` or Ctrl-C in a call: it ends the whole script once the calls in flight end.
    var unwind: Unwind?
    var next = 0
    var inFlight = 0

    init(items: [Value], fn: Value, limit: Int, failFast: Bool, ctx: CallContext) {
        self.items = items
        self.fn = fn
        self.limit = limit
        self.failFast = failFast
        parent = ctx.machine
        range = ctx.range
        results = Array(repeating: nil, count: items.count)
        if let l = ctx.machine.parallelLock {
            lock = l
            ownsLock = false
        } else {
            lock = InterpreterLock(holder: 0)
            ownsLock = true
            ctx.machine.parallelLock = lock
            ctx.machine.parallelID = 0
        }
    }

    func run() throws -> Value {
        defer {
            if ownsLock { parent.parallelLock = nil }
        }
        guard !items.isEmpty else { return .list([]) }
        fill()
        // The calls run while this thread waits; it takes the lock back once the last ends.
        lock.release(parent.parallelID)
        done.waitForever()
        lock.acquire(parent.parallelID)
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

    /// Starts calls while there is room and nothing stops them. Under the lock.
    private func fill() {
        while inFlight < limit, next < items.count, unwind == nil, !(failFast && !errors.isEmpty) {
            start(next)
            next += 1
        }
        if inFlight == 0 { done.signal() }
    }

    private func start(_ index: Int) {
        let id = lock.newID()
        lock.enqueue(id)
        inFlight += 1
        let thread = Thread { [self] in
            lock.acquire(id)
            let m = parent.branch(id: id)
            let outcome: Result<Value, Unwind>
            do throws(Unwind) {
                outcome = .success(try m.callValue(fn, [items[index]], at: range))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let v): results[index] = v
            case .failure(.error(let e)): errors.append((index, e))
            case .failure(.nilChain): results[index] = .nil
            case .failure(let u): if unwind == nil { unwind = u }
            }
            inFlight -= 1
            fill()
            lock.release(id)
        }
        // Room for deep recursion, as the main interpreter thread has; only what is used is paged in.
        thread.stackSize = 256 << 20
        thread.start()
    }
}

extension Machine {
    /// A machine for one call of a `parallel()`: its own value stack, the same limits,
    /// output and module loader, what is left of the step allowance.
    func branch(id: Int) -> Machine {
        var limits = Limits()
        limits.maxCallDepth = maxDepth
        limits.stackSlots = min(stackBase.distance(to: stackEnd), 1 << 20)
        limits.maxStringBytes = maxStringBytes
        limits.maxListCount = maxListCount
        limits.maxSteps = maxSteps
        let m = Machine(limits: limits, output: output)
        m.interpreter = interpreter
        m.stepsLeft = stepsLeft
        m.parallelLock = parallelLock
        m.parallelID = id
        m.measureNativeStack()
        return m
    }
}
