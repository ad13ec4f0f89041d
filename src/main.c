/* lumo: parse the command line and dispatch to a subcommand. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char main_help[] =
    "usage: lumo COMMAND [options] [args]\n"
    "\n"
    "A home-automation engine for the local network, with Lua 5.4 rules.\n"
    "\n"
    "commands:\n"
    "  run RULES.lua...     run rule files; reload a file when it changes\n"
    "  repl [RULES.lua...]  interactive Lua with the engine live\n"
    "  sim lumi             run a simulated Lumi gateway on loopback, for trying rules\n"
    "  lumi discover|devices|read|write|listen   Xiaomi/Aqara gateway, one-shot\n"
    "  onenet token         China Mobile OneNET: a device's connection token\n"
    "  mqtt pub|sub         publish a message, or print what arrives, on a broker\n"
    "  help [COMMAND]       show help for a command\n"
    "  version              print the version\n"
    "\n"
    "Run 'lumo COMMAND --help' for a command's options.\n";

static const struct {
  const char *name;
  int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},   {"repl", cmd_repl},     {"sim", cmd_sim},
    {"lumi", cmd_lumi}, {"onenet", cmd_onenet}, {"mqtt", cmd_mqtt},
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(main_help, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
    fputs(main_help, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("lumo %s\n", LUMO_VERSION);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "help")) {
    if (argc < 3) {
      fputs(main_help, stdout);
      return EXIT_OK;
    }
    cmd = argv[2];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "version")) {
      printf("usage: lumo %s%s\n", cmd, !strcmp(cmd, "help") ? " [COMMAND]" : "");
      return EXIT_OK;
    }
    char *help_argv[] = {(char *)cmd, "--help", NULL};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
      if (!strcmp(cmd, commands[i].name)) return commands[i].fn(2, help_argv);
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "lumo: unknown command '%s'\n(see 'lumo --help' for the commands)\n",
          cmd);
  return EXIT_USAGE;
}
