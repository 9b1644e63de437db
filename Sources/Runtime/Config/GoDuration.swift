/// Go's duration syntax (`time.ParseDuration`), which ecspresso.yml uses for `timeout`:
/// a sequence of decimal numbers with units, like `10m`, `1h30m`, `1.5h`, `90s`, `300ms`.
enum GoDuration {
    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6),
        ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The duration `text` denotes, or nil when it is not Go duration syntax. A leading `-`
    /// parses (as in Go); callers decide whether a negative duration makes sense.
    static func parse(_ text: String) -> Duration? {
        var s = Substring(text)
        var sign = 1.0
        if s.first == "-" || s.first == "+" {
            if s.first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        if s == "0" { return .zero }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                  let value = Double(number.hasPrefix(".") ? "0" + String(number) : String(number)) else { return nil }
            s = s.dropFirst(number.count)
            let unitText = s.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            s = s.dropFirst(unitText.count)
            total += value * unit.1
        }
        let nanoseconds = (total * sign).rounded()
        guard nanoseconds.magnitude < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
