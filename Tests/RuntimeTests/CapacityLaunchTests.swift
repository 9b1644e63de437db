import Foundation
import Synchronization
import Testing
@testable import Runtime

/// An ECS whose cluster is full at first: RunTask is refused for the provisioning quota
/// (managed scaling), then tasks find no memory (RESOURCE:MEMORY in failures[]), then
/// there is room. Client tokens are idempotent, as in ECS.
final class FullClusterECS: HTTPTransport {
    private struct State {
        var runTasks = 0
        var refused = 0
        var roomless = 0
        var answers: [String: String] = [:]
        var bodiesByToken: [String: Set<[UInt8]>] = [:]
        var tasks: [String] = []
    }

    /// How many RunTask calls are refused whole, then how many place no task.
    let refuse: Int
    let noRoom: Int
    private let state = Mutex(State())

    init(refuse: Int, noRoom: Int) {
        self.refuse = refuse
        self.noRoom = noRoom
    }

    var tasks: [String] { state.withLock { $0.tasks } }
    var refused: Int { state.withLock { $0.refused } }
    var roomless: Int { state.withLock { $0.roomless } }
    var bodiesByToken: [String: Set<[UInt8]>] { state.withLock { $0.bodiesByToken } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let operation = request.header("X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        return state.withLock { s -> HTTPResponse in
            switch operation {
            case "DescribeTaskDefinition":
                return SimulatedECS.answer(200, SimulatedECS.definition)
            case "RunTask":
                let token = body["clientToken"] as? String ?? ""
                s.bodiesByToken[token, default: []].insert(request.body)
                if let cached = s.answers[token] { return SimulatedECS.answer(200, cached) }
                s.runTasks += 1
                if s.runTasks <= refuse {
                    s.refused += 1
                    return SimulatedECS.answer(400, #"{"__type":"ClientException","message":"Tasks provisioning capacity limit exceeded."}"#)
                }
                let count = body["count"] as? Int ?? 1
                let answer: String
                if s.runTasks <= refuse + noRoom {
                    s.roomless += 1
                    // Half the batch finds room, the rest does not: one failure entry per reason.
                    let placed = count / 2
                    let started = (0..<placed).map { _ in Self.start(&s) }
                    answer = #"{"tasks":[\#(started.joined(separator: ","))],"failures":[{"reason":"RESOURCE:MEMORY"}]}"#
                } else {
                    let started = (0..<count).map { _ in Self.start(&s) }
                    answer = #"{"tasks":[\#(started.joined(separator: ","))],"failures":[]}"#
                }
                s.answers[token] = answer
                return SimulatedECS.answer(200, answer)
            case "DescribeTasks":
                let names = body["tasks"] as? [String] ?? []
                let found = names.map { #"{"taskArn":"\#($0)","lastStatus":"STOPPED","containers":[{"name":"app","exitCode":0}]}"# }
                return SimulatedECS.answer(200, #"{"tasks":[\#(found.joined(separator: ","))],"failures":[]}"#)
            default:
                return SimulatedECS.answer(400, #"{"__type":"UnknownOperationException"}"#)
            }
        }
    }

    private static func start(_ s: inout State) -> String {
        let arn = "arn:aws:ecs:us-east-1:1:task/c/\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        s.tasks.append(arn)
        return #"{"taskArn":"\#(arn)","lastStatus":"PROVISIONING","containers":[{"name":"app"}]}"#
    }
}

/// A session whose AWS calls go to `transport`, retries without sleeping.
func session(over transport: any HTTPTransport, sink: SessionSink) throws -> ECSSession {
    let url = try #require(URL(string: "https://ecs.us-east-1.amazonaws.com/"))
    let client = AWSClient(region: "us-east-1", endpoints: [.ecs: url, .logs: url],
                           credentials: StaticCredentials(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s")),
                           transport: transport, retry: .standard(), sleeper: { _ in })
    return makeSession(backend: AWSBackend(caller: client), sink: sink)
}

@Suite struct CapacityLaunchTests {
    func session(_ ecs: FullClusterECS, sink: SessionSink) throws -> ECSSession {
        try RuntimeTests.session(over: ecs, sink: sink)
    }

    @Test func aFanOutRefusedForCapacityThenShortOfMemoryEndsWithExactlyThirtyTasks() async throws {
        let ecs = FullClusterECS(refuse: 3, noRoom: 3)
        let sink = SessionSink()
        let s = try session(ecs, sink: sink)
        let r = await runScript(#"""
            let ts = run("app:1", cluster: "c", count: 30, wait: true)
            var arns = {}
            for t in ts { arns[t.arn] = true }
            print(len(ts), len(arns), len(ts.filter(fn(t) => t.ok)))
            """#, session: s, sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        // The waits are warnings (on the session's output here, as with --progress off).
        #expect(r.out.hasSuffix("\n30 30 30\n"), "\(r.out)")
        #expect(r.out.contains("ecsh: warning: cluster c has no room: RunTask was refused: ClientException: Tasks provisioning capacity limit exceeded; 10 task(s) go again in"))
        #expect(r.out.contains("ecsh: warning: cluster c has no room: 5 task(s) found no room (RESOURCE:MEMORY); 5 task(s) go again in"))
        #expect(ecs.tasks.count == 30, "the cluster holds exactly the 30 tasks asked for")
        #expect(ecs.refused == 3 && ecs.roomless == 3, "both kinds of refusal were met: \(ecs.refused), \(ecs.roomless)")
        // A refused batch went again under its token, with the same parameters every time.
        #expect(ecs.bodiesByToken.values.allSatisfy { $0.count == 1 })
    }

    @Test func launchTimeoutZeroReportsTasksWithoutRoomAtOnce() async throws {
        let ecs = FullClusterECS(refuse: 0, noRoom: 100)
        let sink = SessionSink()
        let r = await runScript(#"""
            let ts = run("app:1", cluster: "c", count: 10, launchTimeout: 0s)
            print(len(ts), len(ts.filter(fn(t) => t.lastStatus == "FAILED_TO_START")))
            """#, session: try session(ecs, sink: sink), sink: sink)
        #expect(r.error == nil, "\(r.error ?? "")")
        #expect(r.out == "10 5\n")
        #expect(ecs.tasks.count == 5)
    }

    @Test func aRefusalOutlastingTheLaunchTimeoutFailsTheRun() async throws {
        let ecs = FullClusterECS(refuse: 1000, noRoom: 0)
        let sink = SessionSink()
        let r = await runScript(#"""
            run("app:1", cluster: "c", count: 3, launchTimeout: 1s)
            """#, session: try session(ecs, sink: sink), sink: sink)
        #expect(r.error?.contains("Tasks provisioning capacity limit exceeded.") == true, "\(r.error ?? "")")
        #expect(ecs.tasks.isEmpty)
        #expect(ecs.refused > 1, "tried again until the timeout: \(ecs.refused)")
    }
}
