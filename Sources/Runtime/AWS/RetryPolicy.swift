import Foundation
import Synchronization

/// When and how long to wait before trying a request again: botocore's retry modes, so a
/// user's `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` mean here what they mean to the AWS CLI.
public struct RetryPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// The AWS CLI v1 default; here the same rules as `standard` with 5 attempts.
        case legacy
        /// Retries transient failures and throttling, with jittered exponential backoff and
        /// a retry quota that stops retrying when most requests are failing.
        case standard
        /// `standard` plus a client-side rate limiter that slows down after throttling.
        case adaptive
    }

    public var mode: Mode
    /// Attempts in all, the first one included; at least 1.
    public var maxAttempts: Int

    public init(mode: Mode, maxAttempts: Int) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts)
    }

    public static func standard(maxAttempts: Int = 3) -> RetryPolicy { RetryPolicy(mode: .standard, maxAttempts: maxAttempts) }
    public static func adaptive(maxAttempts: Int = 3) -> RetryPolicy { RetryPolicy(mode: .adaptive, maxAttempts: maxAttempts) }
    public static func legacy(maxAttempts: Int = 5) -> RetryPolicy { RetryPolicy(mode: .legacy, maxAttempts: maxAttempts) }

    /// The policy the user asked for, from `AWS_RETRY_MODE` / `retry_mode` and
    /// `AWS_MAX_ATTEMPTS` / `max_attempts` (the caller picks env or profile values and says
    /// which through the names, for the error message). Nil or empty means the default.
    public static func resolve(mode: String?, maxAttempts: String?,
                               modeName: String = "AWS_RETRY_MODE",
                               maxAttemptsName: String = "AWS_MAX_ATTEMPTS") throws -> RetryPolicy {
        var chosen = Mode.standard
        if let raw = mode?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let m = Mode(rawValue: raw.lowercased()) else {
                throw RetryConfigurationError(message:
                    "\(modeName)=\(raw) is not a retry mode: use legacy, standard or adaptive")
            }
            chosen = m
        }
        var attempts = chosen == .legacy ? 5 : 3
        if let raw = maxAttempts?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let n = Int(raw), n >= 1 else {
                throw RetryConfigurationError(message:
                    "\(maxAttemptsName)=\(raw) is not a number of attempts: use a whole number of at least 1 (1 means no retries)")
            }
            attempts = n
        }
        return RetryPolicy(mode: chosen, maxAttempts: attempts)
    }

    // MARK: What is worth retrying

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"]
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// A throttling answer: the adaptive limiter slows down on these.
    static func isThrottling(_ error: AWSError) -> Bool {
        error.status == 429 || throttlingCodes.contains(error.code)
    }

    /// Whether another attempt may succeed where this one failed.
    static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case is TransportError: return true
        case let e as AWSError:
            return isThrottling(e) || transientCodes.contains(e.code) || transientStatuses.contains(e.status)
        default: return false
        }
    }

    /// Jittered exponential backoff before attempt `attempt + 1`, with `attempt` counted
    /// from 1: `random * min(2^(attempt-1), 20)` seconds, so the first wait is under a
    /// second, as in botocore.
    func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 10)
        let cap = min(Double(1 << exponent), 20)
        let r = min(max(random, 0), 1)
        return .milliseconds(Int64((r * cap * 1000).rounded()))
    }
}

/// A retry setting the user gave that cannot be used.
public struct RetryConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Standard mode's retry quota, one per client: every retry spends from it and successes
/// pay back, so when a service is down for everyone the client stops multiplying the load.
final class RetryQuota: Sendable {
    static let capacity = 500
    static let retryCost = 5
    static let timeoutRetryCost = 10
    static let successRefund = 1

    private let available = Mutex(RetryQuota.capacity)

    /// Takes the price of retrying after `error`; nil when the quota cannot pay it.
    func acquire(after error: any Error) -> Int? {
        let cost = (error as? TransportError)?.kind == .timeout ? Self.timeoutRetryCost : Self.retryCost
        return available.withLock { value in
            guard value >= cost else { return nil }
            value -= cost
            return cost
        }
    }

    /// A request succeeded: give back what its last retry took, or the refund for a first try.
    func release(_ spent: Int?) {
        available.withLock { value in value = min(Self.capacity, value + (spent ?? Self.successRefund)) }
    }

    var remaining: Int { available.withLock { $0 } }
}
