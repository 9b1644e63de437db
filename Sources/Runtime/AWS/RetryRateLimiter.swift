import Foundation
import Synchronization

/// Adaptive retry mode's client-side rate limiter, as botocore builds it: a token bucket
/// whose fill rate follows CUBIC congestion control. It stays off until the first
/// throttling answer; then every attempt takes a token, the rate drops to 70% of what was
/// being sent when throttled, and grows back along a cubic curve while requests succeed.
///
/// Unlike botocore, `acquire` does not block: it reserves the token (the bucket may go
/// into debt) and returns how long to wait, so the caller sleeps through its injectable
/// sleeper and callers queue fairly behind each other's debt.
final class RetryRateLimiter: Sendable {
    static let minimumRate = 0.5
    static let beta = 0.7
    static let scale = 0.4
    static let smoothing = 0.8
    static let bucketSeconds = 0.5
    static let maxRateAdjustScale = 2.0

    struct State {
        var enabled = false
        // Token bucket.
        var fillRate: Double
        var maxCapacity: Double
        var capacity: Double = 0
        var lastRefill: Double?
        // Sending-rate measurement.
        var measuredRate: Double = 0
        var lastBucket: Double
        var count: Double = 0
        // CUBIC.
        var wMax: Double = 0
        var k: Double = 0
        var lastFailure: Double
    }

    private let now: @Sendable () -> Date
    private let state: Mutex<State>

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
        let t = now().timeIntervalSince1970
        state = Mutex(State(fillRate: 1, maxCapacity: 1, lastBucket: t.rounded(.down), lastFailure: t))
    }

    /// Reserves a token for the next attempt; the wait before sending it (zero when the
    /// limiter is still off or a token is there).
    func acquire() -> Duration {
        let t = now().timeIntervalSince1970
        return state.withLock { s in
            guard s.enabled else { return .zero }
            Self.refill(&s, at: t)
            s.capacity -= 1
            guard s.capacity < 0 else { return .zero }
            let seconds = -s.capacity / s.fillRate
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
    }

    /// Feeds back the outcome of an attempt: throttled or not.
    func record(throttled: Bool) {
        let t = now().timeIntervalSince1970
        state.withLock { s in
            let measured = Self.measure(&s, at: t)
            let newRate: Double
            if throttled {
                let current = s.enabled ? min(measured, s.fillRate) : measured
                s.wMax = current
                s.k = Self.zeroPoint(wMax: current)
                s.lastFailure = t
                newRate = current * Self.beta
                s.enabled = true
            } else {
                newRate = Self.scale * pow(t - s.lastFailure - s.k, 3) + s.wMax
            }
            Self.setMaxRate(&s, min(newRate, Self.maxRateAdjustScale * measured), at: t)
        }
    }

    /// The bucket's current fill rate in requests per second, for tests and debug output.
    var rate: Double { state.withLock { $0.fillRate } }
    var isEnabled: Bool { state.withLock { $0.enabled } }

    private static func zeroPoint(wMax: Double) -> Double {
        cbrt(wMax * (1 - beta) / scale)
    }

    /// A smoothed requests-per-second figure, updated every half second.
    private static func measure(_ s: inout State, at t: Double) -> Double {
        let bucket = (t / bucketSeconds).rounded(.down) * bucketSeconds
        s.count += 1
        if bucket > s.lastBucket {
            let current = s.count / (bucket - s.lastBucket)
            s.measuredRate = current * smoothing + s.measuredRate * (1 - smoothing)
            s.count = 0
            s.lastBucket = bucket
        }
        return s.measuredRate
    }

    private static func refill(_ s: inout State, at t: Double) {
        guard let last = s.lastRefill else {
            s.lastRefill = t
            return
        }
        s.capacity = min(s.maxCapacity, s.capacity + max(0, t - last) * s.fillRate)
        s.lastRefill = t
    }

    private static func setMaxRate(_ s: inout State, _ value: Double, at t: Double) {
        // Tokens earned so far were earned at the old rate.
        refill(&s, at: t)
        s.fillRate = max(value, minimumRate)
        s.maxCapacity = max(value, 1)
        s.capacity = min(s.capacity, s.maxCapacity)
    }
}
