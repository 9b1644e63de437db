import Foundation
import Synchronization
@testable import Runtime

/// A transport that answers from a script and remembers every request: the faults a real
/// server will not produce on demand (throttling, 5xx, dropped connections).
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(HTTPResponse)
        case fail(TransportError)
    }

    private let state: Mutex<(steps: [Step], requests: [HTTPRequest])>

    init(_ steps: [Step]) {
        state = Mutex((steps: steps, requests: []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let step: Step? = state.withLock { s in
            s.requests.append(request)
            return s.steps.isEmpty ? nil : s.steps.removeFirst()
        }
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case nil: throw TransportError(.connect, "the script has no step left for request \(requests.count)")
        }
    }

    /// A JSON answer.
    static func json(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> Step {
        .respond(HTTPResponse(status: status, headers: [(name: "Content-Type", value: "application/x-amz-json-1.1")] + headers,
                              body: Array(body.utf8)))
    }

    /// An awsJson1_1 error answer.
    static func error(_ status: Int, _ code: String, _ message: String = "", requestID: String = "req-1") -> Step {
        json(status, #"{"__type":"\#(code)","message":"\#(message)"}"#, headers: [(name: "x-amzn-RequestId", value: requestID)])
    }
}

/// A sleeper that returns at once and remembers what it was asked to wait.
final class RecordingSleeper: Sendable {
    private let delays = Mutex<[Duration]>([])
    /// Each sleep advances this clock, so signing dates move as they would.
    let clock: TestClock?

    init(clock: TestClock? = nil) { self.clock = clock }

    var recorded: [Duration] { delays.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] d in
            try Task.checkCancellation()
            delays.withLock { $0.append(d) }
            clock?.advance(d)
        }
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_704_164_645)) { current = Mutex(start) }
    var now: @Sendable () -> Date { { [self] in current.withLock { $0 } } }
    func advance(_ d: Duration) {
        let (s, atto) = d.components
        current.withLock { $0 += Double(s) + Double(atto) / 1e18 }
    }
}
