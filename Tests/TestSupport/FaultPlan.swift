import Foundation

/// What ``FaultProxy`` does to one request instead of, or on top of, passing it on.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// Closes the connection without reading the request: the server never sees it and the
    /// client gets no byte back (Linux resets a connection closed with unread data).
    case refuse
    /// Reads the request and resets the connection (SO_LINGER 0) without passing it on.
    case reset
    /// Waits this long, then passes the request on.
    case delay(Duration)
    /// Answers with this status and an awsJson error of this `__type`, passing nothing on.
    case answer(status: Int, type: String)
    /// Passes the request on, then sends the head and half of the body, and closes.
    case truncate
    /// Passes the request on, then closes without answering: the server acted and the client
    /// never heard.
    case drop
    /// Answers with this status and body (awsJson), passing nothing on: an answer moto
    /// cannot give, such as RunTask's `failures` for a cluster without room.
    case reply(status: Int, body: String)

    /// 500, as ECS's own server errors come.
    public static let serverError = Fault.answer(status: 500, type: "ServerException")
    public static let unavailable = Fault.answer(status: 503, type: "ServiceUnavailableException")
    public static let throttle = Fault.answer(status: 400, type: "ThrottlingException")

    /// Whether the request reaches the server.
    public var forwards: Bool {
        switch self {
        case .delay, .truncate, .drop: return true
        case .refuse, .reset, .answer, .reply: return false
        }
    }

    public var description: String {
        switch self {
        case .refuse: return "refuse"
        case .reset: return "reset"
        case .delay(let d): return "delay \(d)"
        case .answer(let status, let type): return "\(status) \(type)"
        case .truncate: return "truncate"
        case .drop: return "drop"
        case .reply(let status, _): return "reply \(status)"
        }
    }
}

/// Which requests get which fault, decided when a request arrives.
public struct FaultPlan: Sendable {
    /// What the plan sees of a request.
    public struct Call: Sendable {
        /// The awsJson operation (`RunTask`), the query `Action`, or `METHOD /path`.
        public var operation: String
        /// 1-based count of this operation's requests so far, retries included.
        public var occurrence: Int
        /// For RunTask: 1-based rank of its client token among the tokens seen so far,
        /// which names a batch across its retries.
        public var tokenRank: Int?
    }

    private var rules: [@Sendable (Call) -> Fault?]

    public init(_ rule: @escaping @Sendable (Call) -> Fault?) {
        rules = [rule]
    }

    public static let none = FaultPlan { _ in nil }

    /// `faults[n]` for the n-th request of `operation`.
    public static func on(_ operation: String, _ faults: [Int: Fault]) -> FaultPlan {
        FaultPlan { $0.operation == operation ? faults[$0.occurrence] : nil }
    }

    /// `fault` on every attempt of the RunTask batch whose client token came `rank`-th.
    public static func runTaskBatch(_ rank: Int, _ fault: Fault) -> FaultPlan {
        FaultPlan { $0.operation == "RunTask" && $0.tokenRank == rank ? fault : nil }
    }

    /// The first rule that has a fault for the call wins.
    public static func + (a: FaultPlan, b: FaultPlan) -> FaultPlan {
        var both = a
        both.rules += b.rules
        return both
    }

    func fault(for call: Call) -> Fault? {
        for rule in rules {
            if let f = rule(call) { return f }
        }
        return nil
    }
}
