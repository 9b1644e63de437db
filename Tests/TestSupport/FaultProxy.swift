#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Runtime

/// A forwarding HTTP/1.1 proxy on 127.0.0.1 in front of a server (moto), for tests: it
/// passes each request on unchanged (the `Host` the client signed included), injects the
/// faults its ``FaultPlan`` names, and logs every request with what it did to it.
///
/// moto ignores RunTask's `clientToken`; ECS does not. So the proxy keeps ECS's promise
/// itself: a RunTask whose cluster and token it has passed on before is answered with the
/// first answer and not passed on again (or, with other parameters, with ECS's
/// `ConflictException`). Then the tasks moto holds are exactly the tasks ECS would hold,
/// and a client that retries a lost RunTask with its token can be checked against them.
public final class FaultProxy: Sendable {
    /// One request and what became of it.
    public struct Exchange: Sendable {
        /// Arrival order, from 1.
        public var sequence: Int
        public var call: FaultPlan.Call
        public var request: WireRequest
        public var fault: Fault?
        /// A repeated RunTask answered from the proxy's memory of its token.
        public var answeredFromCache = false
        /// What the server, the token memory or the fault answered; nil when no answer was
        /// made (refused, reset). A fault may have kept it from the client.
        public var response: HTTPResponse?

        public var operation: String { call.operation }
        /// The client heard the whole response.
        public var delivered: Bool { response != nil && fault != .drop && fault != .truncate }
        /// RunTask's `cluster` and `clientToken`, from the body.
        public var runTask: (cluster: String, clientToken: String?, count: Int)? {
            guard call.operation == "RunTask", let json = FaultProxy.object(request.body) else { return nil }
            return (json["cluster"] as? String ?? "default", json["clientToken"] as? String, json["count"] as? Int ?? 1)
        }
    }

    private struct Remembered: Sendable {
        var parameters: String
        var response: HTTPResponse
    }

    private struct State: Sendable {
        var sequence = 0
        var occurrences: [String: Int] = [:]
        /// RunTask `cluster \n token` keys, in the order first seen.
        var tokens: [String] = []
        var remembered: [String: Remembered] = [:]
        var log: [Exchange] = []
    }

    public let upstream: URL
    private let listener: LoopbackListener
    private let state: Locked<State>

    /// The URL to give the client (`--endpoint-url`).
    public var endpoint: String { listener.baseURL.absoluteString }
    /// Every request so far, in arrival order (a request still being served is not in it).
    public var log: [Exchange] { state.withLock { $0.log }.sorted { $0.sequence < $1.sequence } }

    public init(upstream: URL, plan: FaultPlan = .none) throws {
        let state = Locked(State())
        self.state = state
        self.upstream = upstream
        listener = try LoopbackListener(concurrent: true) { client in
            Self.serve(client, upstream: upstream, plan: plan, state: state)
        }
    }

    public func stop() { listener.stop() }

    deinit { stop() }

    private static func serve(_ client: Int32, upstream: URL, plan: FaultPlan, state: Locked<State>) {
        // A peek first: a refused request must stay unread.
        guard let peeked = HTTPWire.readRequest(client, peek: true) else {
            close(client)
            return
        }
        let key = tokenKey(peeked)
        let (sequence, call) = state.withLock { s -> (Int, FaultPlan.Call) in
            s.sequence += 1
            let operation = operationName(peeked)
            s.occurrences[operation, default: 0] += 1
            var rank: Int?
            if let key {
                if !s.tokens.contains(key) { s.tokens.append(key) }
                rank = (s.tokens.firstIndex(of: key) ?? 0) + 1
            }
            return (s.sequence, FaultPlan.Call(operation: operation, occurrence: s.occurrences[operation] ?? 0, tokenRank: rank))
        }
        let fault = plan.fault(for: call)
        var exchange = Exchange(sequence: sequence, call: call, request: peeked, fault: fault)
        // Logged before the client hears anything, so a client that got its answer finds it in the log.
        func finish() {
            state.withLock { $0.log.append(exchange) }
            if let response = exchange.response, fault != .drop {
                HTTPWire.write(response, to: client, bodyBytes: fault == .truncate ? response.body.count / 2 : nil)
            }
            close(client)
        }
        if fault == .refuse {
            finish()
            return
        }
        guard let request = HTTPWire.readRequest(client) else {
            finish()
            return
        }
        exchange.request = request
        switch fault {
        case .reset?:
            var option = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        case .answer(let status, let type)?:
            let body = #"{"__type":"\#(type)","message":"injected by the test's fault proxy"}"#
            exchange.response = HTTPResponse(status: status, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                             body: Array(body.utf8))
        case .reply(let status, let body)?:
            exchange.response = HTTPResponse(status: status, headers: [("Content-Type", "application/x-amz-json-1.1")],
                                             body: Array(body.utf8))
        case .delay(let d)?:
            Thread.sleep(forTimeInterval: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            (exchange.response, exchange.answeredFromCache) = respond(request, key: key, upstream: upstream, state: state)
        case .truncate?, .drop?, nil:
            (exchange.response, exchange.answeredFromCache) = respond(request, key: key, upstream: upstream, state: state)
        case .refuse?:
            break
        }
        finish()
    }

    /// ECS's answer to the request: the remembered one for a RunTask token seen before.
    private static func respond(_ request: WireRequest, key: String?, upstream: URL,
                                state: Locked<State>) -> (HTTPResponse, fromCache: Bool) {
        guard let key else { return (forward(request, to: upstream), false) }
        let parameters = canonical(request.body)
        let earlier = state.withLock { $0.remembered[key] }
        if let earlier {
            if earlier.parameters == parameters { return (earlier.response, true) }
            let body = #"{"__type":"ConflictException","message":"The clientToken was used before with other parameters"}"#
            return (HTTPResponse(status: 400, body: Array(body.utf8)), false)
        }
        let response = forward(request, to: upstream)
        if response.status == 200 {
            state.withLock { $0.remembered[key] = Remembered(parameters: parameters, response: response) }
        }
        return (response, false)
    }

    private static func forward(_ request: WireRequest, to upstream: URL) -> HTTPResponse {
        let dropped: Set<String> = ["content-length", "connection", "transfer-encoding", "keep-alive"]
        guard let url = URL(string: upstream.absoluteString.trimmingCharacters(in: ["/"]) + request.path) else {
            return HTTPResponse(status: 502, body: Array("fault proxy: bad path \(request.path)".utf8))
        }
        let outgoing = HTTPRequest(method: request.method, url: url,
                                   headers: request.headers.filter { !dropped.contains($0.name.lowercased()) },
                                   body: request.body)
        do {
            return try SocketTransport.exchange(outgoing, timeout: .seconds(60))
        } catch {
            return HTTPResponse(status: 502, body: Array("fault proxy: the upstream failed: \(error)".utf8))
        }
    }

    static func operationName(_ request: WireRequest) -> String {
        if let target = request.header("X-Amz-Target"), let dot = target.lastIndex(of: ".") {
            return String(target[target.index(after: dot)...])
        }
        if let action = request.form["Action"] { return action }
        return "\(request.method) \(request.path)"
    }

    /// `cluster \n clientToken` of a RunTask that has a token.
    private static func tokenKey(_ request: WireRequest) -> String? {
        guard operationName(request) == "RunTask", let json = object(request.body),
              let token = json["clientToken"] as? String else { return nil }
        return (json["cluster"] as? String ?? "default") + "\n" + token
    }

    /// A JSON object body as a dictionary; nil for anything else.
    public static func object(_ body: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body's JSON with sorted keys, so the same parameters compare equal however written.
    public static func canonical(_ body: [UInt8]) -> String {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)),
              let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) else {
            return String(decoding: body, as: UTF8.self)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
