import Synchronization

/// Values that are secret because of where they came from, whatever name they are put
/// under: an SSM SecureString the `ssm` plugin decrypted can land in a container variable
/// called `DATABASE_URL`, which no name-based rule masks. Every body `--debug`, dry-run
/// output and run journals print is masked for these values too.
public enum SecretValues {
    private static let known = Mutex<[String]>([])

    /// Shorter values are not masked: masking "on" or "42" everywhere would garble every
    /// body and hide nothing worth hiding.
    public static let minimumLength = 4

    /// Remembers a secret for the rest of the process.
    public static func add(_ value: String) {
        guard value.utf8.count >= minimumLength else { return }
        known.withLock { values in
            guard !values.contains(value) else { return }
            values.append(value)
            // Longest first, so that a secret containing another is masked whole.
            values.sort { $0.utf8.count > $1.utf8.count }
        }
    }

    /// `text` with every known secret, as it is and as JSON writes it inside a string,
    /// replaced by `****`.
    public static func mask(_ text: String) -> String {
        let values = known.withLock { $0 }
        guard !values.isEmpty else { return text }
        var out = text
        for value in values {
            let escaped = Template.escape(value, htmlSafe: false) { $0.value < 0x20 ? "\\u" + Template.hex4($0.value) : nil }
            for form in Set([value, escaped, escaped.replacingOccurrences(of: "/", with: "\\/")]) {
                out = out.replacingOccurrences(of: form, with: "****")
            }
        }
        return out
    }
}
