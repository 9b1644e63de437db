/// How to give a network configuration, in a script and on `ecsh run`'s command line: an
/// error made by the shared RunTask checks says the script form, and `ecsh run` swaps in
/// the flag.
public enum NetworkHint {
    public static let script = "networkConfiguration: {awsvpcConfiguration: {subnets: [...], securityGroups: [...]}}"
    public static let commandLine = "--network-configuration 'awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1]}'"

    /// A message for the command line: the script form replaced by the flag.
    public static func forCommandLine(_ message: String) -> String {
        message.replacingOccurrences(of: "pass " + script, with: "pass " + commandLine)
    }
}
