import Lang
import OrderedCollections

/// `step(name, fn)`: one named step of a playbook. Its start, its end and its result go
/// into the run journal; under `ecsh resume` a step the earlier run finished returns its
/// recorded result without running `fn`, and the step that was cut short takes over the
/// tasks it had launched instead of launching them again.
enum StepBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        Builtin("step", [.init("name", type: .string), .init("fn", type: .function(nil))],
                doc: "Runs fn() as a named step of the run: its result is journaled, and `ecsh resume RUN` returns it without running fn again.") { args, ctx in
            let name = try args.string("name")
            if name.isEmpty { throw ScriptErrors.value("step", "a step needs a name") }
            let journal = session.journal.current(registry: session.registry)
            let recorded: String??
            do {
                recorded = try session.steps.enter(name)
            } catch RunSteps.EntryError.duplicate(let n) {
                throw ScriptErrors.value("step", "a step named '\(n)' already ran in this run: step names must be unique")
            } catch RunSteps.EntryError.nested(let outer) {
                throw ScriptErrors.value("step", "step '\(name)' is inside step '\(outer)': steps do not nest")
            }
            if let recorded {
                var e = JournalEntry(.stepEnded)
                e.name = name
                e.result = recorded
                journal?.append(e, sync: true)
                return try recorded.map(StepResults.decode) ?? .nil
            }
            var started = JournalEntry(.stepStarted)
            started.name = name
            journal?.append(started, sync: true)
            defer { session.steps.leave() }
            let result: Value
            do {
                result = try ctx.call(args["fn"], [])
            } catch {
                // Cut short by Ctrl-C, the step is resumed (its tasks taken over); after an
                // error it runs again.
                if !Interrupt.isRequested {
                    var failed = JournalEntry(.stepFailed)
                    failed.name = name
                    journal?.append(failed, sync: true)
                }
                throw error
            }
            var ended = JournalEntry(.stepEnded)
            ended.name = name
            ended.result = StepResults.encode(result)
            journal?.append(ended, sync: true)
            return result
        }
        .returning { call in
            // What the step's function returns.
            if case .function(let f?)? = call["fn"]?.type { return f.result }
            return .any
        }
    }
}

/// Step results as JSON in the journal: records keep their type under `$type`, so a
/// recorded Task is a Task again; functions are not recorded (nil).
enum StepResults {
    static func encode(_ v: Value) -> String? {
        guard let text = try? JSON.encode(tagged(v)) else { return nil }
        // The same redaction as --debug, applied here where the JSON is not yet a string in a string.
        return Redaction.line(text)
    }

    static func decode(_ text: String) throws -> Value {
        untagged(try JSON.decode(text))
    }

    private static func tagged(_ v: Value) -> Value {
        switch v {
        case .list(let l): return .list(l.map(tagged))
        case .map(let m): return .map(m.entries.mapValues(tagged))
        case .record(let r):
            var fields: OrderedDictionary<String, Value> = ["$type": .string(r.typeName)]
            for (k, f) in r.fields { fields[k] = tagged(f) }
            return .map(fields)
        default: return v
        }
    }

    private static func untagged(_ v: Value) -> Value {
        switch v {
        case .list(let l): return .list(l.map(untagged))
        case .map(let m):
            var fields = m.entries.mapValues(untagged)
            if case .string(let type)? = fields["$type"] {
                fields.removeValue(forKey: "$type")
                return .record(Record(typeName: type, fields: fields))
            }
            return .map(fields)
        default: return v
        }
    }
}
