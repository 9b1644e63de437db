/// The fields and methods values of a static type have, from the record schemas and the
/// method tables: what the REPL's completion and the language server offer after a dot.
enum TypeMembers {
    struct Member {
        let name: String
        /// Called (`.keys()`), not read (`.exitCode`).
        let isMethod: Bool
        /// The field's type and doc, or the method's signature.
        let detail: String
    }

    static func of(_ type: ScriptType, schemas: [String: RecordSchema]) -> [Member] {
        func methods(_ ms: [Method]) -> [Member] { ms.map { Member(name: $0.name, isMethod: true, detail: $0.signature.text) } }
        func fields(_ schema: RecordSchema?) -> [Member] {
            (schema?.fields ?? []).map { Member(name: $0.name, isMethod: false, detail: "\($0.type)  \($0.doc)") }
        }
        var out: [Member] = []
        for t in type.nonNil.members {
            switch t {
            case .record(let name), .shapedMap(let name):
                guard let schema = schemas[name] else { continue }
                out += fields(schema) + (schema.isMap ? methods(MethodTable.map) : [])
            case .pendingTask: out += fields(schemas["Task"])
            case .map: out += methods(MethodTable.map)
            default: out += methods(MethodTable.methods(of: t) ?? [])
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.name).inserted }
    }
}
