import Foundation
import Lang

/// A rule of RegisterTaskDefinition that a task definition breaks.
public struct TaskDefinitionProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where, as a path into the definition (`containerDefinitions[1].memory`); "" is the
    /// whole definition.
    public var path: String
    /// What is wrong and what to do, naming the path itself.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { message }
}

/// The rules ECS applies to RegisterTaskDefinition that can be known without asking it, so
/// that every backend (AWS, `--dry-run`, `--local`) and `ecsh check` refuse the same
/// definitions ECS would. Each rule is in AWS's API reference for RegisterTaskDefinition
/// and ContainerDefinition, or in the developer guide's table of Fargate CPU and memory.
///
/// Pure: no I/O, no session. Fields the rules do not know are not looked at.
public enum TaskDefinitionRules {
    /// The network modes a task definition may name (its default is `bridge`).
    public static let networkModes = ["bridge", "host", "awsvpc", "none"]
    /// The launch types `requiresCompatibilities` may list.
    public static let compatibilities = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]

    /// Every rule `definition` (RegisterTaskDefinition's input, as a Map) breaks, in the
    /// definition's order; empty when ECS would take it. Paths start with `prefix` (for a
    /// definition wrapped as `{"taskDefinition": {...}}`).
    public static func problems(_ definition: Value, prefix: String = "") -> [TaskDefinitionProblem] {
        var out: [TaskDefinitionProblem] = []
        func at(_ member: String) -> String { JSONLocation.member(prefix, member) }
        func problem(_ path: String, _ message: String) { out.append(TaskDefinitionProblem(path: path, message: message)) }

        guard case .map(let root) = definition else {
            problem(prefix, "a task definition must be a JSON object, not \(definition.typeNameWithArticle)")
            return out
        }
        let fields = root.entries
        switch fields["family"] {
        case nil, .nil?:
            problem(prefix, "the task definition has no \"family\": add \"family\": \"<name>\"")
        case .string(let family)?:
            if let why = nameProblem(family) { problem(at("family"), "\(at("family")) \(why)") }
        case let other?:
            problem(at("family"), "\(at("family")) must be a string, not \(other.typeNameWithArticle)")
        }

        let compat = stringList(fields["requiresCompatibilities"]) ?? []
        for (i, c) in compat.enumerated() where !compatibilities.contains(c) {
            let path = JSONLocation.element(at("requiresCompatibilities"), i)
            problem(path, "\(path) is '\(c)': it must be one of \(compatibilities.joined(separator: ", "))")
        }
        let fargate = compat.contains("FARGATE")
        let networkMode: String?
        switch fields["networkMode"] {
        case .string(let mode)?:
            networkMode = mode
            if !networkModes.contains(mode) {
                problem(at("networkMode"), "\(at("networkMode")) is '\(mode)': it must be one of \(networkModes.joined(separator: ", "))")
            }
        case nil, .nil?: networkMode = nil
        case let other?:
            networkMode = nil
            problem(at("networkMode"), "\(at("networkMode")) must be a string, not \(other.typeNameWithArticle)")
        }
        if fargate, networkMode != "awsvpc" {
            problem(networkMode == nil ? prefix : at("networkMode"),
                    "FARGATE task definitions need \"networkMode\": \"awsvpc\"\(networkMode.map { ", not '\($0)'" } ?? "")")
        }
        if fargate, case .string(let pid)? = fields["pidMode"], pid != "task" {
            problem(at("pidMode"), "FARGATE supports pidMode 'task' only, not '\(pid)'")
        }

        let taskCPU = taskSize(fields["cpu"], unit: "vcpu", path: at("cpu"), problem: problem)
        let taskMemory = taskSize(fields["memory"], unit: "gb", path: at("memory"), problem: problem)
        if fargate {
            switch (taskCPU, taskMemory) {
            case (nil, _), (_, nil):
                let missing = [taskCPU == nil ? "\"cpu\"" : nil, taskMemory == nil ? "\"memory\"" : nil].compactMap { $0 }
                problem(prefix, "FARGATE task definitions need a task-level \(missing.joined(separator: " and ")), as a pair from AWS's table (for example \"cpu\": \"256\", \"memory\": \"512\")")
            case let (cpu?, memory?):
                if let why = fargatePairProblem(cpu: cpu, memory: memory) { problem(at("memory"), why) }
            }
        }

        containers(fields["containerDefinitions"], path: at("containerDefinitions"), prefix: prefix,
                   networkMode: networkMode, taskCPU: taskCPU, taskMemory: taskMemory, problem: problem)
        return out
    }

    private static func containers(_ value: Value?, path containersPath: String, prefix: String, networkMode: String?,
                                   taskCPU: Int?, taskMemory: Int?, problem: (String, String) -> Void) {
        guard let value, !value.isNil else {
            problem(prefix, "the task definition has no \"containerDefinitions\": a task definition needs at least one container")
            return
        }
        guard case .list(let items) = value else {
            problem(containersPath, "\(containersPath) must be a list, not \(value.typeNameWithArticle)")
            return
        }
        guard !items.isEmpty else {
            problem(containersPath, "\(containersPath) is empty: a task definition needs at least one container")
            return
        }
        var seen: [String: Int] = [:]
        var essentials = 0
        var reserved = 0, cpuUnits = 0
        for (index, item) in items.enumerated() {
            let path = JSONLocation.element(containersPath, index)
            guard case .map(let m) = item else {
                problem(path, "\(path) must be an object, not \(item.typeNameWithArticle)")
                continue
            }
            let c = m.entries
            var label = path
            switch c["name"] {
            case nil, .nil?:
                problem(path, "\(path) has no \"name\": every container needs a name")
            case .string(let name)?:
                if name.isEmpty {
                    problem(path + ".name", "\(path).name must not be empty")
                } else if let why = nameProblem(name) {
                    problem(path + ".name", "\(path).name \(why)")
                } else if let first = seen[name] {
                    problem(path + ".name", "\(path).name: containers \(first) and \(index) are both named '\(name)': names must be unique")
                } else {
                    seen[name] = index
                }
                label = "container '\(name)' (\(path))"
            case let other?:
                problem(path + ".name", "\(path).name must be a string, not \(other.typeNameWithArticle)")
            }
            switch c["image"] {
            case .string(let image)? where !image.trimmingCharacters(in: .whitespaces).isEmpty: break
            case nil, .nil?, .string?:
                problem(path, "\(label) has no \"image\": every container needs one")
            case let other?:
                problem(path + ".image", "\(path).image must be a string, not \(other.typeNameWithArticle)")
            }
            switch c["essential"] {
            case nil, .nil?, .bool(true)?: essentials += 1
            case .bool(false)?: break
            case let other?: problem(path + ".essential", "\(path).essential must be true or false, not \(other.typeNameWithArticle)")
            }
            let memory = mebibytes(c["memory"], path: path + ".memory", problem: problem)
            let reservation = mebibytes(c["memoryReservation"], path: path + ".memoryReservation", problem: problem)
            if memory == nil, reservation == nil, taskMemory == nil {
                problem(path, "\(label) needs \"memory\" or \"memoryReservation\" (MiB), or the task definition a task-level \"memory\": ECS refuses it otherwise")
            }
            if let memory, let reservation, reservation > memory {
                problem(path + ".memoryReservation", "\(label): memoryReservation (\(reservation)) must not be more than memory (\(memory))")
            }
            if let memory, memory < 6 {
                problem(path + ".memory", "\(label): memory must be at least 6 MiB (Docker reserves that much), not \(memory)")
            }
            reserved += reservation ?? memory ?? 0
            switch c["cpu"] {
            case nil, .nil?: break
            case .int(let n)? where n >= 0: cpuUnits += n
            case .int(let n)?: problem(path + ".cpu", "\(path).cpu must be a whole number of CPU units (0 or more), not \(n)")
            case let other?: problem(path + ".cpu", "\(path).cpu must be a whole number of CPU units (0 or more), not \(other.typeNameWithArticle)")
            }
            if case .list(let ports)? = c["portMappings"], !ports.isEmpty {
                if networkMode == "none" {
                    problem(path + ".portMappings", "\(label) has portMappings, which networkMode 'none' does not allow")
                }
                if networkMode == "awsvpc" || networkMode == "host" {
                    for (i, p) in ports.enumerated() {
                        guard case .map(let pm) = p, case .int(let host)? = pm.entries["hostPort"],
                              case .int(let container)? = pm.entries["containerPort"], host != container else { continue }
                        let pp = JSONLocation.element(path + ".portMappings", i)
                        problem(pp + ".hostPort", "\(pp): with networkMode '\(networkMode ?? "")' hostPort must be left out or equal containerPort (\(container)), not \(host)")
                    }
                }
            }
        }
        if let taskCPU, cpuUnits > taskCPU {
            problem(containersPath, "the containers reserve \(cpuUnits) CPU units in all, more than the task's cpu (\(taskCPU))")
        }
        if let taskMemory, reserved > taskMemory {
            problem(containersPath, "the containers reserve \(reserved) MiB in all, more than the task's memory (\(taskMemory) MiB)")
        }
        if essentials == 0 {
            problem(containersPath, "no container is essential: at least one container needs \"essential\": true (leaving it out means true)")
        }
    }

    /// Why `name` is not a valid family or container name, or nil.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.unicodeScalars.count > 255 { return "is longer than 255 characters" }
        let ok = name.unicodeScalars.allSatisfy { s in
            s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-")
        }
        return ok ? nil : "is '\(name)': only letters, digits, '_' and '-' are allowed"
    }

    private static func stringList(_ v: Value?) -> [String]? {
        guard case .list(let items)? = v else { return nil }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// A container's memory in MiB: a positive Int.
    private static func mebibytes(_ v: Value?, path: String, problem: (String, String) -> Void) -> Int? {
        switch v {
        case nil, .nil?: return nil
        case .int(let n)? where n > 0: return n
        case .int(let n)?:
            problem(path, "\(path) must be a positive whole number of MiB, not \(n)")
            return nil
        case let other?:
            problem(path, "\(path) must be a positive whole number of MiB, not \(other.typeNameWithArticle)")
            return nil
        }
    }

    /// Task-level cpu (units) or memory (MiB) as ECS reads them: a number, or a number of
    /// vCPU / GB (`"0.25 vCPU"`, `"1 GB"`), which ECS converts on registration.
    private static func taskSize(_ v: Value?, unit: String, path: String, problem: (String, String) -> Void) -> Int? {
        let text: String
        switch v {
        case nil, .nil?: return nil
        case .string(let s)?: text = s
        case .int(let n)?: text = String(n)
        case let other?:
            problem(path, "\(path) must be a string such as \"\(unit == "gb" ? "512" : "256")\", not \(other.typeNameWithArticle)")
            return nil
        }
        if let n = parseSize(text, unit: unit) { return n }
        let example = unit == "gb" ? "\"512\" (MiB) or \"1 GB\"" : "\"256\" (CPU units) or \"0.25 vCPU\""
        problem(path, "\(path) is '\(text)': write \(example)")
        return nil
    }

    static func parseSize(_ text: String, unit: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var scale = 1.0
        if t.hasSuffix(unit) {
            t = String(t.dropLast(unit.count)).trimmingCharacters(in: .whitespaces)
            scale = 1024
        }
        guard let n = Double(t), n.isFinite, n > 0 else { return nil }
        let value = n * scale
        guard value == value.rounded(), value <= Double(Int32.max) else { return nil }
        return Int(value)
    }

    /// The Fargate CPU and memory pairs of AWS's table ("Task CPU and memory", Amazon ECS
    /// Developer Guide): the memory sizes each CPU size allows, in MiB.
    static let fargatePairs: [(cpu: Int, memory: [Int])] = [
        (256, [512, 1024, 2048]),
        (512, [1024, 2048, 3072, 4096]),
        (1024, Array(stride(from: 2048, through: 8192, by: 1024))),
        (2048, Array(stride(from: 4096, through: 16384, by: 1024))),
        (4096, Array(stride(from: 8192, through: 30720, by: 1024))),
        (8192, Array(stride(from: 16384, through: 61440, by: 4096))),
        (16384, Array(stride(from: 32768, through: 122880, by: 8192))),
    ]

    static func fargatePairProblem(cpu: Int, memory: Int) -> String? {
        guard let row = fargatePairs.first(where: { $0.cpu == cpu }) else {
            return "FARGATE takes task cpu \(fargatePairs.map { String($0.cpu) }.joined(separator: ", ")), not \(cpu)"
        }
        if row.memory.contains(memory) { return nil }
        let allowed = row.memory.count <= 7
            ? row.memory.map(String.init).joined(separator: ", ")
            : "\(row.memory[0]) to \(row.memory[row.memory.count - 1]) in steps of \(row.memory[1] - row.memory[0])"
        return "FARGATE with cpu \(cpu) takes memory \(allowed) (MiB), not \(memory)"
    }
}
