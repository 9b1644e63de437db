/// The declared fields of a record type (`Task`, `TaskDefinition`, `Error`) or of a Map a
/// built-in returns with known keys (`Overrides`). The checker, `help` and the REPL's
/// completion read it.
public struct RecordSchema: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let type: ScriptType
        public let doc: String

        public init(_ name: String, _ type: ScriptType, _ doc: String) {
            self.name = name
            self.type = type
            self.doc = doc
        }
    }

    public let name: String
    public let doc: String
    public let fields: [Field]
    /// Values may carry fields beyond these (an AWS error's own fields): an unknown name is
    /// reported only when it is a near miss of a declared one.
    public let isOpen: Bool
    /// For a Map shape: the keys are present only when given, so reading one may fail;
    /// the names are still checked.
    public let isMap: Bool

    public init(_ name: String, doc: String, fields: [Field], isOpen: Bool = false, isMap: Bool = false) {
        self.name = name
        self.doc = doc
        self.fields = fields
        self.isOpen = isOpen
        self.isMap = isMap
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// The caught error of `try ... catch err`.
    public static let error = RecordSchema("Error", doc: "A caught error.", fields: [
        Field("message", .string, "What went wrong."),
        Field("code", .string, "The kind: TypeError, ValueError, ..., or an ECS exception name such as ClusterNotFoundException."),
        Field("line", .optional(.int), "The line where it was raised."),
        Field("column", .optional(.int), "The column where it was raised."),
        Field("file", .optional(.string), "The file where it was raised."),
        Field("status", .optional(.int), "ECS errors: the HTTP status."),
        Field("requestId", .optional(.string), "ECS errors: the request id, for AWS support."),
        Field("resourceIds", .any, "ConflictException: the tasks a reused client token launched."),
        Field("reasons", .list(.string), "TaskFailedToStart: why the tasks did not start."),
        Field("failed", .list(.string), "stop(): the tasks that could not be stopped."),
        Field("tasks", .list(.any), "A launch cut short or a wait that timed out: the tasks it concerns."),
        Field("unansweredClientTokens", .list(.string), "A launch cut short: client tokens of RunTask calls whose answer never came."),
    ], isOpen: true)
}
