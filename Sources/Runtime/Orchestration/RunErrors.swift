import Foundation

// The ways a launch or a wait ends short of what was asked, as the orchestration reports
// them. What a script or `ecsh run` shows of them (message, code, details) is decided in
// one place above this layer, under Builtins.

/// RunTask placed none of the tasks asked for.
public struct NoTaskStarted: Error, Sendable {
    /// Why, each reason once, in the order met.
    public var reasons: [String]
}

/// A wait ran out of time; the tasks go on running.
public struct WaitTimedOut: Error, Sendable {
    public var timeout: Duration
    public var goal: WaitGoal
    /// How many tasks were waited for.
    public var total: Int
    /// Those not at the goal, as last seen.
    public var pending: [TrackedTask]
}

/// A batch failed in a way that leaves it unknown whether ECS started its tasks: the
/// client tokens find them again.
public struct UnansweredLaunch: Error, Sendable {
    public var underlying: any Error
    /// How many tasks those batches asked for.
    public var count: Int
    public var clientTokens: [String]

    /// What a user needs to find tasks that may have started unseen (ECS answers a
    /// repeated RunTask with the tasks the token started, for 24 hours).
    public var explanation: String {
        "(the RunTask request may have reached ECS: up to \(count) more task(s) may have started unseen; "
            + "RunTask with the same parameters and clientToken \(clientTokens.joined(separator: ", ")) returns them within 24 hours)"
    }
}

/// A later batch failed after earlier ones started tasks: the error carries them, so a
/// script can stop or wait for what is already running.
public struct PartialLaunch: Error, Sendable {
    public var underlying: any Error
    /// The tasks running, in launch order.
    public var started: [TrackedTask]
    /// How many tasks were asked for.
    public var asked: Int
}
