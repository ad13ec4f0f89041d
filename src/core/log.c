/* Logging to stderr: time, level, source, message; one write per line. */
#include "core/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static log_level_t current_level = LOG_INFO;
static log_hook_fn hook;
static void *hook_arg;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};
static const char *const level_tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR", "OFF  "};

void log_set_level(log_level_t level) {
  current_level = level;
}

log_level_t log_get_level(void) {
  return current_level;
}

int log_enabled(log_level_t level) {
  return level >= current_level && level != LOG_OFF;
}

int log_parse_level(const char *name, log_level_t *out) {
  for (int i = 0; i <= LOG_OFF; i++) {
    if (strcmp(name, level_names[i]) == 0) {
      *out = (log_level_t)i;
      return 0;
    }
  }
  if (strcmp(name, "warning") == 0) {
    *out = LOG_WARN;
    return 0;
  }
  return -1;
}

const char *log_level_name(log_level_t level) {
  return level_names[level];
}

void log_set_hook(log_hook_fn fn, void *arg) {
  hook = fn;
  hook_arg = arg;
}

void log_vmsg(log_level_t level, const char *where, const char *fmt, va_list ap) {
  if (!log_enabled(level)) return;

  char line[4096];
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  localtime_r(&tv.tv_sec, &tm);
  size_t n = strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
  n += (size_t)snprintf(line + n, sizeof line - n, ".%03d %s ", (int)(tv.tv_usec / 1000),
                        level_tags[level]);
  if (where && *where) n += (size_t)snprintf(line + n, sizeof line - n, "[%s] ", where);
  if (n < sizeof line) {
    int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
    if (m > 0) n += (size_t)m;
  }
  /* A message longer than the buffer is cut, and says so. */
  if (n >= sizeof line - 1) {
    n = sizeof line - 1;
    memcpy(line + n - 4, "...\n", 4);
  } else {
    line[n++] = '\n';
  }
  if (hook) hook(1, hook_arg);
  ssize_t w = write(STDERR_FILENO, line, n);
  (void)w;
  if (hook) hook(0, hook_arg);
}

void log_msg(log_level_t level, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vmsg(level, where, fmt, ap);
  va_end(ap);
}

const char *log_redact(const char *secret, char *buf, size_t size) {
  if (size == 0) return buf;
  /* Four characters at most, and never more than half of a short secret. */
  size_t len = secret ? strlen(secret) : 0;
  size_t keep = len >= 8 ? 4 : len / 2;
  snprintf(buf, size, "%.*s%s", (int)keep, secret ? secret : "", len > keep ? "…" : "");
  return buf;
}
