/* `lumo run RULES.lua...`: load rule files and run the engine until stopped. */
#include "cli/cli.h"

#include "core/log.h"
#include "lua/rules.h"

#include <stdio.h>
#include <string.h>

static const char run_help[] =
    "usage: lumo run [options] RULES.lua...\n"
    "\n"
    "Loads the rule files into one Lua state and runs the engine until SIGINT or\n"
    "SIGTERM. A file that changes on disk (or every file, on SIGHUP) is loaded\n"
    "again; if the new version fails to load, the old one keeps running.\n"
    "\n"
    "options:\n" CLI_ENGINE_HELP
    "  --no-watch         do not reload files when they change (SIGHUP still does)\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 after a clean shutdown, 1 on a runtime failure, 2 on bad\n"
    "usage or a rule file that does not load.\n";

int cmd_run(int argc, char **argv) {
  enum { OPT_NO_WATCH = 0x200 };
  static const struct option longopts[] = {
      CLI_ENGINE_LONGOPTS,
      {"no-watch", no_argument, NULL, OPT_NO_WATCH},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  cli_engine_opts_t o = {.budget = RT_DEFAULT_BUDGET};
  int watch = 1, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    int r = cli_engine_option("run", opt, optarg, &o);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    switch (opt) {
    case 'h':
      fputs(run_help, stdout);
      return EXIT_OK;
    case OPT_NO_WATCH:
      watch = 0;
      break;
    case ':':
      return cli_usage_error("run", "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc) return cli_usage_error("run", "give at least one rule file to run");

  engine_t eng;
  runtime_t rt;
  int status = cli_engine_start(&eng, &rt, &o, argv + optind, argc - optind);
  if (status != EXIT_OK) return status;
  if (watch) rules_watch(&rt);
  status = engine_run(&eng);
  cli_engine_stop(&eng, &rt);
  return status;
}
