import Foundation

/// One line of a run journal. A flat record rather than an enum of cases so that a journal
/// written by a newer ecsh still reads: unknown fields are ignored, missing ones are nil.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// What the line records.
    public enum Kind: String, Codable, Sendable {
        /// The run began: who, what, where.
        case start
        /// A RunTask is about to be sent (written and synced before it goes).
        case launch
        /// RunTask answered: the tasks it started and how many it could not place.
        case launched
        /// RunTask failed in a way that may or may not have reached ECS.
        case unanswered
        /// The launcher is waiting for capacity before sending again.
        case capacityWait
        /// A task reached its final state.
        case task
        /// A step began (`step(name, fn)`).
        case stepStarted
        /// A step returned: its result, as tagged JSON.
        case stepEnded
        /// A step raised an error: `ecsh resume` runs it again.
        case stepFailed
        /// The run ended, with its exit status.
        case end
    }

    public var type: Kind
    /// Seconds since 1970, UTC.
    public var time: Double
    // start
    public var run: String?
    public var pid: Int32?
    public var script: String?
    public var scriptDigest: String?
    public var arguments: [String]?
    public var options: [String: String]?
    public var backend: String?
    public var region: String?
    // launch, launched, unanswered, capacityWait, task
    public var cluster: String?
    public var clientToken: String?
    /// Of the parameters with the task definition as its family: re-registering the same
    /// definition outside a step (a new revision) leaves a resumed step's digests alone.
    public var parametersDigest: String?
    public var taskDefinition: String?
    public var count: Int?
    public var startedBy: String?
    public var watch: String?
    public var tasks: [String]?
    public var failures: [String]?
    public var reason: String?
    public var arn: String?
    public var lastStatus: String?
    public var exitCode: Int?
    public var stopCode: String?
    // start of a resumed run: the run it resumes
    public var resumes: String?
    // steps; launch lines made inside one, with the index of their run() call in it
    public var name: String?
    public var result: String?
    public var step: String?
    public var call: Int?
    // end
    public var status: Int32?

    public init(_ type: Kind, time: Date = Date()) {
        self.type = type
        self.time = time.timeIntervalSince1970
    }
}
