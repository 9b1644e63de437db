import Foundation
import Lang
import OrderedCollections

/// A Terraform state (version 4) and the lookups of fujiwara/tfstate-lookup, which
/// ecspresso's tfstate plugin uses: `aws_vpc.main.id`, `output.name`,
/// `aws_subnet.private[0].id`, `aws_ecr_repository.all["app"].repository_url`, `module.m.aws_x.y.z`,
/// `data.aws_caller_identity.me.account_id`.
struct TFState: Sendable {
    /// Addresses to values: `output.NAME`, and each resource instance (`type.name`,
    /// `type.name[0]`, `type.name["key"]`, with `module.` and `data.` prefixes).
    private(set) var scanned: [String: Value] = [:]
    /// `type.name` of an indexed resource: its instances as a list (count) or map (for_each).
    private(set) var groups: [String: Value] = [:]

    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    init(json text: String) throws {
        let root: Value
        do {
            root = try JSON.decode(text)
        } catch let e as JSONError {
            throw ReadError(description: "invalid json: \(e.message)")
        }
        guard case .map(let state) = root else { throw ReadError(description: "invalid json: the state is not an object") }
        if case .map? = state.entries["backend"] {
            throw ReadError(description: "the state points to a remote backend (a .terraform/terraform.tfstate file); give the backend's s3:// URL as the plugin's url instead")
        }
        guard case .int(4)? = state.entries["version"] else {
            throw ReadError(description: "unsupported state version \(state.entries["version"].map { JSON.encodeOrDescribe($0) } ?? "(none)")")
        }
        if case .map(let outputs)? = state.entries["outputs"] {
            for (name, value) in outputs.entries { scanned["output." + name] = Self.outputValue(value) }
        }
        guard case .list(let resources)? = state.entries["resources"] else { return }
        for case .map(let r) in resources {
            let mode = r.entries["mode"]?.stringValue ?? ""
            guard mode == "data" || mode == "managed" else { continue }
            let module = r.entries["module"]?.stringValue.map { $0.isEmpty ? "" : $0 + "." } ?? ""
            let prefix = mode == "data" ? "data." : ""
            let type = r.entries["type"]?.stringValue ?? ""
            let name = r.entries["name"]?.stringValue ?? ""
            let base = module + prefix + type + "." + name
            guard case .list(let instances)? = r.entries["instances"], !instances.isEmpty else { continue }
            func attributes(_ i: Value) -> Value {
                guard case .map(let m) = i else { return .nil }
                if let a = m.entries["attributes"], !a.isNil { return a }
                return m.entries["attributes_flat"] ?? .nil
            }
            if mode == "data", type == "terraform_remote_state" {
                if case .map(let a) = attributes(instances[0]) {
                    var data = OrderedDictionary<String, Value>()
                    for (k, v) in a.entries { data[k] = Self.outputValue(v) }
                    scanned[base] = .map(MapStorage(data))
                }
                continue
            }
            func indexKey(_ i: Value) -> Value? {
                guard case .map(let m) = i, let k = m.entries["index_key"], !k.isNil else { return nil }
                return k
            }
            if instances.count == 1, indexKey(instances[0]) == nil {
                scanned[base] = attributes(instances[0])
                continue
            }
            var list: [Value] = []
            var map = OrderedDictionary<String, Value>()
            for instance in instances {
                let data = attributes(instance)
                switch indexKey(instance) {
                case .string(let k)?:
                    scanned[base + "[" + GoJSON.encode(.string(k)) + "]"] = data
                    map[k] = data
                case .int(let i)?:
                    scanned[base + "[\(i)]"] = data
                    if i >= 0 {
                        while list.count <= i { list.append(.nil) }
                        list[i] = data
                    }
                default:
                    continue
                }
            }
            if !list.isEmpty { groups[base] = .list(list) } else if !map.isEmpty { groups[base] = .map(MapStorage(map)) }
        }
    }

    /// An output's `value` when it is a `{value, type}` pair, else the whole thing.
    static func outputValue(_ v: Value) -> Value {
        if case .map(let m) = v, let value = m.entries["value"], !value.isNil, m.entries["type"] != nil { return value }
        return v
    }

    /// The value at `address`; nil when there is none (or it is null), as tfstate-lookup
    /// reports "not found".
    func lookup(_ address: String) throws -> Value? {
        if let v = scanned[address] { return v.isNil ? nil : v }
        if let v = groups[address] { return v.isNil ? nil : v }
        var found: Value?
        var foundName = ""
        for (name, value) in scanned where address.hasPrefix(name) && name.count > foundName.count {
            found = value
            foundName = name
        }
        guard let found else { return nil }
        var query = String(address.dropFirst(foundName.count))
        if query.hasPrefix("[") { query = "." + query }
        guard query.hasPrefix(".") else { return nil }
        let result = try Self.query(query, in: found)
        return result.isNil ? nil : result
    }

    /// The jq paths tfstate-lookup's addresses use: `.a.b`, `.a[0]`, `.a["k"]`, `.[0]`.
    static func query(_ query: String, in value: Value) throws -> Value {
        var v = value
        var s = Substring(query)
        while !s.isEmpty {
            if s.hasPrefix(".") {
                s = s.dropFirst()
                if s.isEmpty { break }
                if s.hasPrefix("[") { continue }
                let name = s.prefix { $0 != "." && $0 != "[" }
                s = s.dropFirst(name.count)
                v = try member(String(name), of: v)
            } else if s.hasPrefix("[") {
                guard let close = s.firstIndex(of: "]") else { throw ReadError(description: "unclosed [ in \(query)") }
                let inside = s[s.index(after: s.startIndex)..<close]
                s = s[s.index(after: close)...]
                if inside.hasPrefix("\""), inside.hasSuffix("\""), inside.count >= 2 {
                    v = try member(String(inside.dropFirst().dropLast()), of: v)
                } else if let i = Int(inside) {
                    switch v {
                    case .list(let l):
                        let index = i < 0 ? l.count + i : i
                        v = (0..<l.count).contains(index) ? l[index] : .nil
                    case .nil: v = .nil
                    default: throw ReadError(description: "cannot index \(v.typeName) with number")
                    }
                } else {
                    throw ReadError(description: "unexpected token \(inside) in \(query)")
                }
            } else {
                throw ReadError(description: "unexpected token \(s.prefix(10)) in \(query)")
            }
        }
        return v
    }

    private static func member(_ name: String, of v: Value) throws -> Value {
        switch v {
        case .map(let m): return m.entries[name] ?? .nil
        case .nil: return .nil
        default: throw ReadError(description: "expected an object but got: \(v.typeName.lowercased()) (\(GoJSON.encode(v)))")
        }
    }

    /// What the template writes: a string as it is, anything else as Go's json.Marshal writes it.
    static func text(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return GoJSON.encode(v)
    }
}

/// Go's encoding/json output: compact, map keys sorted, `<`, `>` and `&` escaped.
enum GoJSON {
    static func encode(_ v: Value) -> String {
        switch v {
        case .nil: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return float(d)
        case .string(let s): return "\"" + Template.jsonEscape(s) + "\""
        case .list(let l): return "[" + l.map(encode).joined(separator: ",") + "]"
        case .map(let m):
            return "{" + m.entries.keys.sorted().map { "\"\(Template.jsonEscape($0))\":\(encode(m.entries[$0] ?? .nil))" }.joined(separator: ",") + "}"
        default: return "null"
        }
    }

    /// Go's float64 form: integral values without a point, exponent form below 1e-6 or from 1e21.
    static func float(_ d: Double) -> String {
        let a = abs(d)
        if a != 0, a < 1e-6 || a >= 1e21 {
            var s = GoFormat.float(d)
            // Go's json trims e-07 to e-7.
            if let e = s.range(of: "e-0") { s.replaceSubrange(e, with: "e-") }
            if let e = s.range(of: "e+0") { s.replaceSubrange(e, with: "e+") }
            return s
        }
        if d == d.rounded(), a < 1e21 { return String(format: "%.0f", d) }
        let (digits, exponent) = GoFormat.shortestDigits(a)
        let sign = d < 0 ? "-" : ""
        if exponent <= 0 { return sign + "0." + String(repeating: "0", count: -exponent) + digits }
        if digits.count <= exponent { return sign + digits + String(repeating: "0", count: exponent - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: exponent)
        return sign + digits[..<i] + "." + digits[i...]
    }
}

extension JSON {
    /// The value as JSON, or its type name when it has no JSON form.
    static func encodeOrDescribe(_ v: Value) -> String {
        (try? JSON.encode(v)) ?? v.typeName
    }
}

private extension Value {
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
