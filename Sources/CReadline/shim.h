#include <stdio.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

/* True when readline has already moved to a new line after Ctrl-D on an empty line:
   readline 8.2 does so when bracketed paste is on (rl_eof_found is new in 8.2). */
static inline int ecsh_rl_ended_line_at_eof(void) {
#if defined(RL_READLINE_VERSION) && RL_READLINE_VERSION >= 0x0802
    const char *paste = rl_variable_value("enable-bracketed-paste");
    return rl_eof_found && paste != NULL && strcmp(paste, "on") == 0;
#else
    return 0;
#endif
}
