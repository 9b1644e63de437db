/// `MANAGED_INSTANCES` is a launch type ECS reports on tasks, but RunTask does not take it:
/// "If you want to use Amazon ECS Managed Instances, you must use the
/// capacityProviderStrategy request parameter and omit the launchType request parameter."
public enum ManagedInstances {
    public static let launchType = "MANAGED_INSTANCES"

    /// What to say when it is asked for as a launch type, in the script's words or the
    /// command line's.
    public static func refusal(commandLine: Bool) -> String {
        commandLine
            ? "--launch-type MANAGED_INSTANCES is not taken by RunTask: ECS Managed Instances run through their capacity provider; "
                + "pass --capacity-provider-strategy '[{\"capacityProvider\":\"NAME\"}]' and no --launch-type"
            : "launchType MANAGED_INSTANCES is not taken by RunTask: ECS Managed Instances run through their capacity provider; "
                + "pass capacityProviderStrategy: [{capacityProvider: \"NAME\"}] and no launchType"
    }
}
