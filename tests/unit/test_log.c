/* Logging: level names, filtering, redaction of secrets, the line format. */
#include "check.h"
#include "core/log.h"

#include <stdlib.h>
#include <unistd.h>

static int hook_calls[2];
static void hook(int before, void *arg) {
  (void)arg;
  hook_calls[before ? 0 : 1]++;
}

int main(void) {
  log_level_t l;
  CHECK_INT(log_parse_level("debug", &l), 0);
  CHECK_INT(l, LOG_DEBUG);
  CHECK_INT(log_parse_level("warning", &l), 0);
  CHECK_INT(l, LOG_WARN);
  CHECK_INT(log_parse_level("off", &l), 0);
  CHECK_INT(l, LOG_OFF);
  CHECK_INT(log_parse_level("loud", &l), -1);
  CHECK_STR(log_level_name(LOG_ERROR), "error");

  log_set_level(LOG_WARN);
  CHECK(!log_enabled(LOG_INFO));
  CHECK(log_enabled(LOG_ERROR));
  log_set_level(LOG_OFF);
  CHECK(!log_enabled(LOG_ERROR));

  char buf[32];
  CHECK_STR(log_redact("0987654321qwerty", buf, sizeof buf), "0987…");
  CHECK_STR(log_redact("abcdefgh", buf, sizeof buf), "abcd…");
  CHECK_STR(log_redact("abcdef", buf, sizeof buf), "abc…");
  CHECK_STR(log_redact("ab", buf, sizeof buf), "a…");
  CHECK_STR(log_redact("", buf, sizeof buf), "");
  CHECK_STR(log_redact(NULL, buf, sizeof buf), "");

  /* One line per message, hook around it, long messages cut with "...". */
  char path[] = "/tmp/lumo-test-log-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  log_set_level(LOG_INFO);
  log_set_hook(hook, NULL);
  log_debug("x", "hidden");
  log_info("rules.lua:3", "value %d", 42);
  char big[6000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  log_warn(NULL, "%s", big);
  log_set_hook(NULL, NULL);
  dup2(saved, STDERR_FILENO);
  close(saved);

  char text[8192] = {0};
  lseek(fd, 0, SEEK_SET);
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  unlink(path);
  CHECK(n > 0);
  CHECK(strstr(text, "hidden") == NULL);
  CHECK(strstr(text, " INFO  [rules.lua:3] value 42\n") != NULL);
  CHECK(strstr(text, " WARN  aaaa") != NULL);
  CHECK(strstr(text, "a...\n") != NULL);
  int lines = 0;
  for (char *p = text; *p; p++) lines += *p == '\n';
  CHECK_INT(lines, 2);
  CHECK_INT(hook_calls[0], 2);
  CHECK_INT(hook_calls[1], 2);
  return check_done("log");
}
