import Foundation

/// Paces GetLogEvents for a session: a token bucket at the backend's rate, halved each
/// time CloudWatch Logs throttles and grown back slowly after calls that went through.
///
/// Following a thousand streams must not starve the account's other log readers, nor
/// make every read fail with ThrottlingException.
actor LogReadLimiter {
    private let clock = ContinuousClock()
    /// The rate now, at most the backend's.
    private var rate: Double?
    private var tokens = 1.0
    private var last: ContinuousClock.Instant?

    /// Waits for a turn. `limit` is the backend's calls a second; nil never waits.
    func acquire(limit: Double?) async throws {
        guard let limit, limit > 0 else { return }
        let r = min(rate ?? limit, limit)
        rate = r
        let now = clock.now
        if let last {
            tokens = min(r, tokens + Self.seconds(now - last) * r)
        }
        last = now
        // Reserve before sleeping: callers that arrive meanwhile queue behind.
        tokens -= 1
        if tokens < 0 { try await Task.sleep(for: .milliseconds(Int(-tokens / r * 1000))) }
    }

    /// CloudWatch Logs said ThrottlingException (after the client's own retries).
    func throttled() {
        guard let r = rate else { return }
        rate = max(0.5, r / 2)
    }

    /// A call went through: creep back toward the backend's rate.
    func succeeded(limit: Double?) {
        guard let r = rate, let limit else { return }
        rate = min(limit, r + 0.25)
    }

    /// The current rate, for tests.
    var currentRate: Double? { rate }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}
