/* Shared pieces of the subcommands: usage errors, engine set-up options. */
#ifndef LUMO_CLI_CLI_H
#define LUMO_CLI_CLI_H

#include "core/engine.h"
#include "lua/runtime.h"

#include <getopt.h>

/* Exit statuses every command uses. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Prints "lumo CMD: message" and a hint to use --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Options every engine-running command takes. */
typedef struct {
  long long budget;
} cli_engine_opts_t;

/* Handles --log-level and --budget inside a getopt_long loop. Returns 1 if
 * `opt` was one of them, 0 if not, or -1 (after a usage message) if its
 * value was bad. */
int cli_engine_option(const char *cmd, int opt, const char *arg, cli_engine_opts_t *o);
#define CLI_OPT_LOG_LEVEL 0x100
#define CLI_OPT_BUDGET 0x101
#define CLI_OPT_STATE_DIR 0x102
#define CLI_ENGINE_LONGOPTS                                                              \
  {"log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL},                             \
      {"budget", required_argument, NULL, CLI_OPT_BUDGET}, {                             \
    "state-dir", required_argument, NULL, CLI_OPT_STATE_DIR                              \
  }
#define CLI_ENGINE_HELP                                                                  \
  "  --log-level LEVEL  debug, info, warn, error or off (default info)\n"                \
  "  --budget N         Lua instructions one callback may run before it is\n"            \
  "                     stopped (default 100000000; 0 = no limit)\n"                     \
  "  --state-dir DIR    where MQTT messages wait for their broker, across\n"             \
  "                     restarts (default $LUMO_STATE_DIR, else\n"                       \
  "                     ~/.local/state/lumo)\n"

/* Starts the engine and the rule runtime and loads each rule file (SIGHUP
 * reloads them). On a
 * load failure prints the file:line message and returns EXIT_USAGE after
 * tearing everything down. */
int cli_engine_start(engine_t *eng, runtime_t *rt, const cli_engine_opts_t *o,
                     char **files, int nfiles);
void cli_engine_stop(engine_t *eng, runtime_t *rt);

/* An option's value as a number from lo to hi (seconds, a rate): returns 0
 * with *out set, or -1 if it is not a finite number in that range. */
int cli_parse_number(const char *arg, double lo, double hi, double *out);
/* A one-shot command's private temporary directory (its MQTT state: kept
 * for nothing): the path into buf (64 bytes are enough); -1 after saying
 * why. cli_remove_tree removes it and what is in it. */
int cli_temp_dir(const char *cmd, char *buf, size_t size);
void cli_remove_tree(const char *path);
/* 1 if s is a dotted-quad IPv4 address, else 0. */
int cli_is_ipv4(const char *s);

int cmd_run(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_lumi(int argc, char **argv);
int cmd_onenet(int argc, char **argv);
int cmd_mqtt(int argc, char **argv);

#endif
