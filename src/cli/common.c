/* Shared pieces of the subcommands: usage errors, option values and engine
 * start-up. */
#include "cli/cli.h"

#include "core/log.h"
#include "lua/rules.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lumo %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n(see 'lumo %s --help')\n", cmd);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_engine_option(const char *cmd, int opt, const char *arg, cli_engine_opts_t *o) {
  if (opt == CLI_OPT_LOG_LEVEL) {
    log_level_t level;
    if (log_parse_level(arg, &level) != 0) {
      cli_usage_error(
          cmd, "--log-level must be debug, info, warn, error or off, not '%s'", arg);
      return -1;
    }
    log_set_level(level);
    return 1;
  }
  if (opt == CLI_OPT_BUDGET) {
    char *end;
    errno = 0;
    long long n = strtoll(arg, &end, 10);
    if (errno || *end || end == arg || n < 0 || n > 2000000000LL) {
      cli_usage_error(cmd,
                      "--budget must be a whole number of instructions from 0 to "
                      "2000000000, not '%s'",
                      arg);
      return -1;
    }
    o->budget = n;
    return 1;
  }
  if (opt == CLI_OPT_STATE_DIR) {
    if (!*arg) {
      cli_usage_error(cmd, "--state-dir needs a directory");
      return -1;
    }
    /* Read by every MQTT client (drivers/mqtt_client.c) not given its own. */
    setenv("LUMO_STATE_DIR", arg, 1);
    return 1;
  }
  return 0;
}

int cli_parse_number(const char *arg, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (end == arg || *end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int cli_is_ipv4(const char *s) {
  struct in_addr a;
  return inet_pton(AF_INET, s, &a) == 1;
}

static void reload_on_hup(engine_t *eng, void *rt) {
  (void)eng;
  rules_reload_all(rt);
}

int cli_engine_start(engine_t *eng, runtime_t *rt, const cli_engine_opts_t *o,
                     char **files, int nfiles) {
  if (engine_init(eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    return EXIT_FAIL;
  }
  if (runtime_init(rt, eng, o->budget) != 0) {
    fprintf(stderr, "lumo: cannot create the Lua state (out of memory)\n");
    engine_close(eng);
    return EXIT_FAIL;
  }
  eng->on_hup = reload_on_hup;
  eng->on_hup_arg = rt;
  for (int i = 0; i < nfiles; i++) {
    char err[4096];
    if (rules_load(rt, files[i], err, sizeof err) != 0) {
      fprintf(stderr, "lumo: cannot load %s: %s\n", files[i], err);
      cli_engine_stop(eng, rt);
      return EXIT_USAGE;
    }
  }
  return EXIT_OK;
}

void cli_engine_stop(engine_t *eng, runtime_t *rt) {
  runtime_close(rt);
  engine_close(eng);
}

int cli_temp_dir(const char *cmd, char *buf, size_t size) {
  snprintf(buf, size, "/tmp/lumo-%s-XXXXXX", cmd);
  for (char *p = buf + 5; *p; p++)
    if (*p == ' ') *p = '-';
  if (mkdtemp(buf)) return 0;
  fprintf(stderr, "lumo %s: cannot make a temporary directory: %s\n", cmd,
          strerror(errno));
  return -1;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path); /* best effort: keep going */
  return 0;
}

void cli_remove_tree(const char *path) {
  nftw(path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}
