import Foundation
import Synchronization

/// What the terminal allows: colour (unless `NO_COLOR` or `--no-color`) and its width.
enum Terminal {
    private static let colorOff = Atomic<Bool>(false)

    /// `--no-color`: no escape sequences for colour anywhere, whatever the terminal.
    static func disableColor() { colorOff.store(true, ordering: .relaxed) }

    /// Colour on this descriptor: a terminal, `NO_COLOR` unset or empty, no `--no-color`.
    static func color(_ fd: Int32) -> Bool {
        !colorOff.load(ordering: .relaxed) && isatty(fd) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// The width of the terminal on `fd`, 80 when it does not say.
    static func width(_ fd: Int32) -> Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static func paint(_ text: String, _ code: String, if on: Bool) -> String {
        on ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
