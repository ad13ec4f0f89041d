/* Logging: one line per message on stderr with time, level and source. */
#ifndef LUMO_CORE_LOG_H
#define LUMO_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level_t;

/* Messages below this level are dropped. Default LOG_INFO. */
void log_set_level(log_level_t level);
log_level_t log_get_level(void);
int log_enabled(log_level_t level);

/* Parses "debug", "info", "warn", "error", "off"; returns 0 or -1. */
int log_parse_level(const char *name, log_level_t *out);
const char *log_level_name(log_level_t level);

/* A hook run around each line written, so an interactive prompt can clear
 * itself before the line and redraw after (before=1, then before=0). */
typedef void (*log_hook_fn)(int before, void *arg);
void log_set_hook(log_hook_fn fn, void *arg);

/* Writes "YYYY-mm-dd HH:MM:SS.mmm LEVEL [where] message". `where` names the
 * source (a rule file:line, or a module such as "lumi"); NULL omits it. */
void log_msg(log_level_t level, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(log_level_t level, const char *where, const char *fmt, va_list ap);

#define log_debug(where, ...) log_msg(LOG_DEBUG, where, __VA_ARGS__)
#define log_info(where, ...) log_msg(LOG_INFO, where, __VA_ARGS__)
#define log_warn(where, ...) log_msg(LOG_WARN, where, __VA_ARGS__)
#define log_error(where, ...) log_msg(LOG_ERROR, where, __VA_ARGS__)

/* Copies the first 4 characters of a secret (fewer for one shorter than 8)
 * followed by "…" into buf, so keys and tokens never reach a log whole.
 * Returns buf. */
const char *log_redact(const char *secret, char *buf, size_t size);

#endif
