import Foundation
import Lang

/// The static half of "step names are unique within a run": two `step("same", ...)`
/// with the same literal name are refused before anything runs. Names computed at run
/// time are checked by `step()` itself.
enum StepNames {
    private static let call = try? NSRegularExpression(pattern: #"\bstep\(\s*"((?:[^"\\$]|\\.)*)""#)

    /// "FILE:LINE:COLUMN: step name 'x' is used twice (first at line N)", or nil.
    static func duplicateLiterals(in file: SourceFile) -> String? {
        guard let call else { return nil }
        let text = String(decoding: file.bytes, as: UTF8.self)
        var first: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = String(line)
            let range = NSRange(code.startIndex..., in: code)
            for match in call.matches(in: code, range: range) {
                guard let whole = Range(match.range, in: code), let nameRange = Range(match.range(at: 1), in: code) else { continue }
                // Inside a comment or a string: not a call.
                let before = code[..<whole.lowerBound]
                if before.contains("#") || before.filter({ $0 == "\"" }).count % 2 == 1 { continue }
                let name = String(code[nameRange])
                if let earlier = first[name] {
                    let column = code.distance(from: code.startIndex, to: whole.lowerBound) + 1
                    return "\(file.name):\(index + 1):\(column): step name '\(name)' is used twice (first at line \(earlier)): step names must be unique within a run"
                }
                first[name] = index + 1
            }
        }
        return nil
    }
}
