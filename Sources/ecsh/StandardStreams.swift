import Foundation

/// Where stdout and stderr go.
enum StandardStreams {
    /// True when both are the same file, pipe or terminal (`2>&1`, one CI log): a line
    /// written to each would be read twice.
    static let shareDestination: Bool = {
        var out = stat(), err = stat()
        guard fstat(1, &out) == 0, fstat(2, &err) == 0 else { return false }
        return out.st_dev == err.st_dev && out.st_ino == err.st_ino
    }()
}
