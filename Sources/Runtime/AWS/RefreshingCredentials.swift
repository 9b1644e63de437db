import Foundation
import Synchronization

/// Caches what a fetch returns and fetches again when the credentials are within the
/// refresh window of their expiration. Concurrent callers share one fetch.
///
/// When a refresh fails while the cached credentials have not yet expired, those are
/// returned: a brief STS or metadata outage does not stop work that still has valid keys.
public final class RefreshingCredentials: CredentialsProvider {
    private struct State {
        var cached: AWSCredentials?
        var inFlight: Task<AWSCredentials, any Error>?
    }

    private let fetch: @Sendable () async throws -> AWSCredentials
    private let now: @Sendable () -> Date
    private let window: TimeInterval
    private let state = Mutex(State())

    /// - Parameters:
    ///   - refreshWindow: how long before `expiration` to fetch anew (5 minutes, as botocore).
    ///   - now: the clock, injectable for tests.
    ///   - fetch: gets fresh credentials.
    public init(refreshWindow: Duration = .seconds(300),
                now: @escaping @Sendable () -> Date = Date.init,
                fetch: @escaping @Sendable () async throws -> AWSCredentials) {
        self.fetch = fetch
        self.now = now
        let parts = refreshWindow.components
        self.window = TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    public func credentials() async throws -> AWSCredentials {
        let current = now()
        let (fresh, task): (AWSCredentials?, Task<AWSCredentials, any Error>?) = state.withLock { state in
            if let cached = state.cached, !needsRefresh(cached, at: current) { return (cached, nil) }
            if let running = state.inFlight { return (nil, running) }
            let fetch = self.fetch
            let running = Task { try await fetch() }
            state.inFlight = running
            return (nil, running)
        }
        if let fresh { return fresh }
        guard let task else { throw CancellationError() }

        do {
            let value = try await task.value
            state.withLock { state in
                if state.inFlight == task {
                    state.cached = value
                    state.inFlight = nil
                }
            }
            return value
        } catch {
            let fallback: AWSCredentials? = state.withLock { state in
                if state.inFlight == task { state.inFlight = nil }
                guard let cached = state.cached, let expiration = cached.expiration,
                      expiration > current else { return nil }
                return cached
            }
            if let fallback { return fallback }
            throw error
        }
    }

    /// Forgets the cached credentials, so the next call fetches.
    public func invalidate() {
        state.withLock { $0.cached = nil }
    }

    private func needsRefresh(_ credentials: AWSCredentials, at date: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(date) <= window
    }
}
