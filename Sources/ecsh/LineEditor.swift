@preconcurrency import CReadline
import Foundation
import Lang
import Synchronization

/// GNU readline, driven through its callback ("alternate") interface so that signals
/// stay ours: a `poll()` on stdin and on a self-pipe the signal handlers write to.
///
/// - Ctrl-C at the prompt clears the line and returns `.interrupt`; while the REPL
///   evaluates an entry it asks the interpreter to stop (`Interrupt.request()`).
/// - SIGWINCH resizes the line; Ctrl-Z at the prompt puts the terminal back before
///   stopping and redraws the line on `fg`; SIGTERM and SIGHUP end the session.
///
/// Readline's callbacks are C functions without context, so one editor at a time is
/// `current`. Use it from one thread.
final class LineEditor {
    enum Event: Equatable {
        case line(String)
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
        /// Ctrl-C at the prompt: the line is gone.
        case interrupt
        /// SIGTERM or SIGHUP.
        case terminate(Int32)
    }

    /// Word completion: the word before the cursor and the line before that word.
    typealias Completer = (_ word: String, _ before: String) -> [Completion.Match]

    nonisolated(unsafe) private static var current: LineEditor?
    /// The self-pipe's write end, for the signal handlers.
    private static let wakeFD = Atomic<Int32>(-1)
    /// Signals handled for the whole session; SIGTSTP only at the prompt.
    private static let sessionSignals = [SIGINT, SIGWINCH, SIGTERM, SIGHUP]

    private typealias Handler = @convention(c) (Int32) -> Void

    private let complete: Completer
    /// What the session signals did before, put back by `close`.
    private var previousHandlers: [(Int32, Handler?)] = []
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var event: Event?

    init(name: String, historyLimit: Int, complete: @escaping Completer) {
        self.complete = complete
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        for fd in fds where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        Self.wakeFD.store(wakeWrite, ordering: .relaxed)
        Self.current = self

        setlocale(LC_CTYPE, "") // readline edits by characters of the user's encoding
        rl_readline_name = UnsafePointer(strdup(name))
        rl_instream = stdin
        // Prompts and echo go where the user looks, even when stdout is a pipe.
        rl_outstream = isatty(1) == 1 ? stdout : stderr
        rl_catch_signals = 0
        rl_catch_sigwinch = 0
        let breaks = UnsafePointer(strdup(Completion.wordBreakCharacters))
        rl_basic_word_break_characters = breaks
        rl_completer_word_break_characters = breaks
        rl_attempted_completion_function = Self.completionHook
        rl_completion_display_matches_hook = Self.displayHook
        stifle_history(Int32(historyLimit))
        previousHandlers = Self.sessionSignals.map { ($0, signal($0, Self.onSignal)) }
        // A blocked signal mask is inherited through exec; a REPL that Ctrl-C cannot reach
        // is no use, so take these signals on this thread whatever the parent did.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in Self.sessionSignals + [SIGTSTP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Puts the signals back; the editor is unusable after.
    func close() {
        for (sig, handler) in previousHandlers { signal(sig, handler) }
        Self.wakeFD.store(-1, ordering: .relaxed)
        if wakeRead >= 0 { Foundation.close(wakeRead); Foundation.close(wakeWrite) }
        if Self.current === self { Self.current = nil }
    }

    func addHistory(_ line: String) { add_history(line) }

    /// Shows `prompt` and edits one line.
    func read(prompt: String) -> Event {
        // Signals that came during evaluation: a Ctrl-C there was for the evaluation.
        if let sig = drainSignals().first(where: { $0 == SIGTERM || $0 == SIGHUP }) { return .terminate(sig) }
        fflush(stdout)
        fflush(stderr)
        event = nil
        // Ctrl-Z: ours at the prompt, unless there is no job control (SIGTSTP ignored).
        let tstp = signal(SIGTSTP, Self.onSignal)
        if Self.isIgnore(tstp) { signal(SIGTSTP, tstp) }
        defer { signal(SIGTSTP, tstp) }
        rl_callback_handler_install(prompt, Self.lineHandler)
        rl_reset_screen_size() // the window may have changed while an entry ran
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while event == nil {
            let n = poll(&fds, nfds_t(wakeRead >= 0 ? 2 : 1), -1)
            if n < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return .endOfInput
            }
            if fds[1].revents != 0 {
                for sig in drainSignals() where event == nil { handleAtPrompt(sig) }
            }
            if event == nil, fds[0].revents != 0 {
                if fds[0].revents & Int16(POLLNVAL) != 0 {
                    rl_callback_handler_remove()
                    return .endOfInput
                }
                rl_callback_read_char()
            }
        }
        return event!
    }

    private func handleAtPrompt(_ sig: Int32) {
        switch sig {
        case SIGINT:
            rl_free_line_state()
            rl_callback_sigcleanup()
            rl_point = rl_end
            rl_redisplay() // so ^C lands after the text, on the line's last row
            rl_echo_signal_char(SIGINT)
            rl_replace_line("", 0)
            rl_crlf()
            rl_callback_handler_remove()
            event = .interrupt
        case SIGWINCH:
            rl_resize_terminal()
        case SIGTSTP:
            rl_cleanup_after_signal()
            signal(SIGTSTP, SIG_DFL)
            raise(SIGTSTP) // stopped here until `fg`
            signal(SIGTSTP, Self.onSignal)
            rl_reset_after_signal()
            rl_forced_update_display()
        case SIGTERM, SIGHUP:
            rl_callback_handler_remove()
            rl_crlf()
            event = .terminate(sig)
        default:
            break
        }
    }

    /// The signals that arrived since the last look, oldest first.
    private func drainSignals() -> [Int32] {
        guard wakeRead >= 0 else { return [] }
        var out: [Int32] = []
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = Foundation.read(wakeRead, &buf, buf.count)
            if n <= 0 { break }
            out += buf[..<n].map { Int32($0) }
        }
        return out
    }

    private static func isIgnore(_ handler: Handler?) -> Bool {
        handler.map { unsafeBitCast($0, to: Int.self) == 1 } ?? false // SIG_IGN is (handler)1
    }

    // MARK: C callbacks

    private static let onSignal: Handler = { sig in
        let saved = errno
        if sig == SIGINT || sig == SIGTERM || sig == SIGHUP { Interrupt.request() }
        var byte = UInt8(truncatingIfNeeded: sig)
        let fd = LineEditor.wakeFD.load(ordering: .relaxed)
        if fd >= 0 { _ = write(fd, &byte, 1) }
        errno = saved
    }

    private static let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
        // Removing the handler here keeps readline from showing a prompt of its own
        // before the entry runs; `read` installs it again with the right prompt.
        rl_callback_handler_remove()
        guard let editor = LineEditor.current else { free(line); return }
        if let line {
            editor.event = .line(String(cString: line))
            free(line)
        } else {
            if ecsh_rl_ended_line_at_eof() == 0 { fputs("\n", rl_outstream) }
            fflush(rl_outstream)
            editor.event = .endOfInput
        }
    }

    /// Lists matches by what differs between them: `keys  values`, not `m.keys  m.values`.
    private static let displayHook: @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32, Int32)
        -> Void = { matches, count, _ in
        guard let matches, let common = matches[0], count > 0 else { return }
        // Every match starts with the common part, so cutting it after its last dot is safe.
        let cut = strrchr(common, Int32(UInt8(ascii: "."))).map { $0 - common + 1 } ?? 0
        var shown: [UnsafeMutablePointer<CChar>?] = [nil]
        var longest = 0
        for i in 1...Int(count) {
            guard let m = matches[i] else { break }
            let s = strdup(m + cut)
            longest = max(longest, s.map { strlen($0) } ?? 0)
            shown.append(s)
        }
        let n = Int32(shown.count - 1)
        shown.append(nil)
        shown.withUnsafeMutableBufferPointer { rl_display_match_list($0.baseAddress, n, Int32(longest)) }
        for s in shown { free(s) }
        rl_forced_update_display()
    }

    private static let completionHook: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
        rl_attempted_completion_over = 1 // never fall back to file names
        guard let editor = LineEditor.current, let text else { return nil }
        let word = String(cString: text)
        let before = rl_line_buffer.map { buf in
            String(decoding: UnsafeRawBufferPointer(start: buf, count: Int(max(0, start))), as: UTF8.self)
        } ?? ""
        let matches = editor.complete(word, before)
        guard let first = matches.first else { return nil }
        if matches.count == 1 {
            if let c = first.suffix.utf8.first {
                rl_completion_append_character = Int32(c)
            } else {
                rl_completion_suppress_append = 1
            }
        }
        return makeMatchList(matches.map(\.text))
    }

    /// Readline's match list: the common prefix, then each match, then NULL, all malloc'd.
    private static func makeMatchList(_ texts: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        var common = Array(texts[0])
        for t in texts.dropFirst() {
            let other = Array(t)
            var n = 0
            while n < common.count, n < other.count, common[n] == other[n] { n += 1 }
            common.removeSubrange(n...)
        }
        let count = texts.count == 1 ? 1 : texts.count + 1
        let raw = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (count + 1))!
        let out = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count + 1)
        if texts.count == 1 {
            out[0] = strdup(texts[0])
        } else {
            out[0] = strdup(String(common))
            for (i, t) in texts.enumerated() { out[i + 1] = strdup(t) }
        }
        out[count] = nil
        return out
    }
}
