import Foundation
import Synchronization
@testable import Runtime

/// An ECS that answers RunTask and DescribeTasks over the transport, the way the service
/// behaves where moto does not: client tokens are idempotent, DescribeTasks takes at most
/// 100 tasks, and every `throttleEvery`-th request is refused with ThrottlingException.
///
/// Tasks move one state per DescribeTasks that names them: PROVISIONING, RUNNING, STOPPED.
final class SimulatedECS: HTTPTransport {
    struct Launch: Sendable {
        var token: String
        var body: [UInt8]
        var count: Int
    }

    private struct State {
        var requests = 0
        var throttled: [String: Int] = [:]
        /// Successful RunTask calls, in order.
        var launches: [Launch] = []
        /// Every RunTask request that reached the service (throttled ones too), by token.
        var bodiesByToken: [String: Set<[UInt8]>] = [:]
        var answers: [String: [UInt8]] = [:]
        var status: [String: Int] = [:]
        /// Tasks named by each successful DescribeTasks.
        var describes: [[String]] = []
        var askedAfterStop: [String] = []
        var stoppedSeen: Set<String> = []
    }

    static let states = ["PROVISIONING", "RUNNING", "STOPPED"]
    static let definition = #"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:1:task-definition/app:1","family":"app","revision":1,"containerDefinitions":[{"name":"app","essential":true}]}}"#

    let throttleEvery: Int
    private let state = Mutex(State())

    init(throttleEvery: Int) { self.throttleEvery = throttleEvery }

    var launches: [Launch] { state.withLock { $0.launches } }
    var bodiesByToken: [String: Set<[UInt8]>] { state.withLock { $0.bodiesByToken } }
    var describes: [[String]] { state.withLock { $0.describes } }
    var askedAfterStop: [String] { state.withLock { $0.askedAfterStop } }
    func throttled(_ operation: String) -> Int { state.withLock { $0.throttled[operation] ?? 0 } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let operation = request.header("X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        return state.withLock { s -> HTTPResponse in
            s.requests += 1
            if operation == "RunTask", let token = body["clientToken"] as? String {
                s.bodiesByToken[token, default: []].insert(request.body)
            }
            if operation != "DescribeTaskDefinition", s.requests % throttleEvery == 0 {
                s.throttled[operation, default: 0] += 1
                return Self.answer(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
            }
            switch operation {
            case "DescribeTaskDefinition":
                return Self.answer(200, Self.definition)
            case "RunTask":
                return Self.answer(200, runTask(body, raw: request.body, &s))
            case "DescribeTasks":
                let names = body["tasks"] as? [String] ?? []
                if names.count > 100 { return Self.answer(400, #"{"__type":"InvalidParameterException","message":"more than 100 tasks"}"#) }
                return Self.answer(200, describeTasks(names, &s))
            default:
                return Self.answer(400, #"{"__type":"UnknownOperationException"}"#)
            }
        }
    }

    private func runTask(_ body: [String: Any], raw: [UInt8], _ s: inout State) -> String {
        let token = body["clientToken"] as? String ?? UUID().uuidString
        if let cached = s.answers[token] { return String(decoding: cached, as: UTF8.self) }
        let count = body["count"] as? Int ?? 1
        let cluster = body["cluster"] as? String ?? "default"
        let tasks = (0..<count).map { _ -> String in
            let arn = "arn:aws:ecs:us-east-1:1:task/\(cluster)/\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            s.status[arn] = 0
            return #"{"taskArn":"\#(arn)","lastStatus":"PROVISIONING","containers":[{"name":"app"}]}"#
        }
        let answer = #"{"tasks":[\#(tasks.joined(separator: ","))],"failures":[]}"#
        s.answers[token] = Array(answer.utf8)
        s.launches.append(Launch(token: token, body: raw, count: count))
        return answer
    }

    private func describeTasks(_ names: [String], _ s: inout State) -> String {
        s.describes.append(names)
        var found: [String] = []
        var missing: [String] = []
        for arn in names {
            guard let n = s.status[arn] else {
                missing.append(#"{"arn":"\#(arn)","reason":"MISSING"}"#)
                continue
            }
            if s.stoppedSeen.contains(arn) { s.askedAfterStop.append(arn) }
            let next = min(n + 1, Self.states.count - 1)
            s.status[arn] = next
            let status = Self.states[next]
            if status == "STOPPED" { s.stoppedSeen.insert(arn) }
            let exit = status == "STOPPED" ? #","exitCode":0"# : ""
            found.append(#"{"taskArn":"\#(arn)","lastStatus":"\#(status)","containers":[{"name":"app"\#(exit)}]}"#)
        }
        return #"{"tasks":[\#(found.joined(separator: ","))],"failures":[\#(missing.joined(separator: ","))]}"#
    }

    static func answer(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [(name: "Content-Type", value: "application/x-amz-json-1.1")], body: Array(body.utf8))
    }
}
