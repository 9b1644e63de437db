import Foundation
import Testing
@testable import Runtime

@Suite struct RetryTests {
    @Test func resolveDefaults() throws {
        #expect(try RetryPolicy.resolve(mode: nil, maxAttempts: nil) == .standard())
        #expect(try RetryPolicy.resolve(mode: "", maxAttempts: "") == RetryPolicy(mode: .standard, maxAttempts: 3))
        #expect(try RetryPolicy.resolve(mode: "legacy", maxAttempts: nil) == RetryPolicy(mode: .legacy, maxAttempts: 5))
        #expect(try RetryPolicy.resolve(mode: "Adaptive", maxAttempts: "7") == RetryPolicy(mode: .adaptive, maxAttempts: 7))
        #expect(try RetryPolicy.resolve(mode: nil, maxAttempts: "1").maxAttempts == 1)
    }

    @Test(arguments: ["0", "abc", "-2", "2.5"])
    func resolveRejectsBadMaxAttempts(_ value: String) {
        let error = #expect(throws: RetryConfigurationError.self) {
            _ = try RetryPolicy.resolve(mode: nil, maxAttempts: value)
        }
        #expect(error?.description.contains("AWS_MAX_ATTEMPTS=\(value)") == true)
    }

    @Test func resolveRejectsUnknownModeNamingTheSetting() {
        let error = #expect(throws: RetryConfigurationError.self) {
            _ = try RetryPolicy.resolve(mode: "fast", maxAttempts: nil, modeName: "retry_mode in profile dev")
        }
        #expect(error?.description.contains("retry_mode in profile dev=fast") == true)
        #expect(error?.description.contains("legacy, standard or adaptive") == true)
    }

    @Test func retryableErrors() {
        func aws(_ status: Int, _ code: String) -> AWSError {
            AWSError(code: code, message: "", status: status, service: .ecs, operation: "X")
        }
        for code in ["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                     "SlowDown", "EC2ThrottledException", "RequestTimeout", "PriorRequestNotComplete"] {
            #expect(RetryPolicy.isRetryable(aws(400, code)), "\(code)")
        }
        for status in [500, 502, 503, 504, 429] {
            #expect(RetryPolicy.isRetryable(aws(status, "HTTP \(status)")), "\(status)")
        }
        for kind in [TransportError.Kind.connect, .dropped, .timeout] {
            #expect(RetryPolicy.isRetryable(TransportError(kind, "x")))
        }
        #expect(!RetryPolicy.isRetryable(aws(400, "ClientException")))
        #expect(!RetryPolicy.isRetryable(aws(400, "InvalidParameterException")))
        #expect(!RetryPolicy.isRetryable(aws(501, "HTTP 501")))
        #expect(!RetryPolicy.isRetryable(CancellationError()))
    }

    @Test func backoffIsJitteredExponentialCappedAt20Seconds() {
        let p = RetryPolicy.standard()
        #expect(p.delay(afterAttempt: 1, random: 1) == .seconds(1))
        #expect(p.delay(afterAttempt: 2, random: 1) == .seconds(2))
        #expect(p.delay(afterAttempt: 3, random: 0.5) == .seconds(2))
        #expect(p.delay(afterAttempt: 6, random: 1) == .seconds(20))
        #expect(p.delay(afterAttempt: 60, random: 1) == .seconds(20))
        #expect(p.delay(afterAttempt: 1, random: 0) == .zero)
    }

    @Test func quotaChargesMoreForTimeoutsAndRefundsSuccess() {
        let quota = RetryQuota()
        #expect(quota.acquire(after: TransportError(.timeout, "")) == 10)
        #expect(quota.acquire(after: TransportError(.dropped, "")) == 5)
        #expect(quota.remaining == 485)
        quota.release(5)
        #expect(quota.remaining == 490)
        quota.release(nil)
        #expect(quota.remaining == 491)
        for _ in 0..<200 { quota.release(nil) }
        #expect(quota.remaining == 500)
        for _ in 0..<100 { _ = quota.acquire(after: TransportError(.connect, "")) }
        #expect(quota.acquire(after: TransportError(.connect, "")) == nil)
    }

    @Test func rateLimiterIsOffUntilThrottled() {
        let clock = TestClock()
        let limiter = RetryRateLimiter(now: clock.now)
        for _ in 0..<20 {
            #expect(limiter.acquire() == .zero)
            limiter.record(throttled: false)
        }
        #expect(!limiter.isEnabled)
    }

    @Test func rateLimiterCutsTheRateOnThrottlingAndGrowsItBack() {
        let clock = TestClock()
        let limiter = RetryRateLimiter(now: clock.now)
        // Send 10 requests a second for a few seconds so there is a measured rate.
        for _ in 0..<40 {
            clock.advance(.milliseconds(100))
            limiter.record(throttled: false)
        }
        limiter.record(throttled: true)
        #expect(limiter.isEnabled)
        let cut = limiter.rate
        #expect(cut < 10)
        #expect(cut >= RetryRateLimiter.minimumRate)
        // Right after the cut, a burst larger than the bucket has to wait.
        var waited = Duration.zero
        for _ in 0..<10 { waited += limiter.acquire() }
        #expect(waited > .zero)
        // Successes over the next seconds raise the rate above the cut.
        for _ in 0..<30 {
            clock.advance(.milliseconds(200))
            limiter.record(throttled: false)
        }
        #expect(limiter.rate > cut)
    }
}
