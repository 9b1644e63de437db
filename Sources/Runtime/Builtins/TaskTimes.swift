import Foundation
import Lang
import OrderedCollections

/// The Task record's fields beyond its status: times, placement, size, health, tags, and
/// the Container record.
///
/// Times are Floats of seconds since 1970-01-01 UTC, as `now()` gives: they compare,
/// subtract (`now() - t.startedAt`) and print. How long things took are Durations:
/// `timeToStart` (createdAt to startedAt) and `runTime` (startedAt to stoppedAt), nil
/// until both ends are known.
enum TaskTimes {
    static func fields(_ task: ECSTask) -> OrderedDictionary<String, Value> {
        let str = TaskRecord.str
        var tags = OrderedDictionary<String, Value>()
        for tag in task.tags ?? [] { if let k = tag.key { tags[k] = str(tag.value) } }
        return [
            "createdAt": time(task.createdAt),
            "startedAt": time(task.startedAt),
            "stoppingAt": time(task.stoppingAt),
            "stoppedAt": time(task.stoppedAt),
            "pullStartedAt": time(task.pullStartedAt),
            "pullStoppedAt": time(task.pullStoppedAt),
            "timeToStart": between(task.createdAt, task.startedAt),
            "runTime": between(task.startedAt, task.stoppedAt),
            "capacityProviderName": str(task.capacityProviderName),
            "platformVersion": str(task.platformVersion),
            "cpu": str(task.cpu),
            "memory": str(task.memory),
            "ephemeralStorage": task.ephemeralStorage.map { .int($0.sizeInGiB) } ?? .nil,
            "availabilityZone": str(task.availabilityZone),
            "privateIp": str(task.privateIPv4Address),
            "healthStatus": str(task.healthStatus),
            "tags": .map(tags),
        ]
    }

    static func container(_ c: Container) -> Value {
        let str = TaskRecord.str
        let bindings: [Value] = (c.networkBindings ?? []).map { b in
            .map(["bindIP": str(b.bindIP), "containerPort": b.containerPort.map(Value.int) ?? .nil,
                  "hostPort": b.hostPort.map(Value.int) ?? .nil, "protocol": str(b.protocol)])
        }
        return .record(Record(typeName: "Container", fields: [
            "name": str(c.name), "exitCode": c.exitCode.map(Value.int) ?? .nil,
            "reason": str(c.reason), "lastStatus": str(c.lastStatus),
            "image": str(c.image), "imageDigest": str(c.imageDigest), "healthStatus": str(c.healthStatus),
            "networkBindings": .list(bindings),
        ]))
    }

    static func time(_ d: Date?) -> Value { d.map { .float($0.timeIntervalSince1970) } ?? .nil }

    static func between(_ a: Date?, _ b: Date?) -> Value {
        guard let a, let b else { return .nil }
        return .duration(Int((b.timeIntervalSince(a) * 1e9).rounded()))
    }
}
