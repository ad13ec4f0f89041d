/* `lumo lumi discover|devices|read|write|listen`: one-shot commands for a
 * Xiaomi/Aqara (Lumi) gateway. This file holds the help texts, the option
 * parsing and the dispatch, and the error messages the subcommands share;
 * discover is in lumi_discover.c, the driver-based ones in lumi_session.c,
 * their output in lumi_print.c. */
#include "cli/cli.h"
#include "cli/lumi_cli.h"

#include "core/log.h"
#include "proto/lumi.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT 5.0

/* Options; which ones a subcommand takes is a mask of these bits, in the
 * order of the OPT_ values in parse_options. */
enum {
  O_PASSWORD = 1 << 0,
  O_IP = 1 << 1,
  O_IFACE = 1 << 2,
  O_SID = 1 << 3,
  O_TIMEOUT = 1 << 4,
  O_JSON = 1 << 5,
  O_COUNT = 1 << 6,
  O_FOR = 1 << 7,
  O_EVENT = 1 << 8,
  O_DEVICE = 1 << 9,
};

static const char lumi_help[] =
    "usage: lumo lumi SUBCOMMAND [options] [args]\n"
    "\n"
    "One-shot commands for a Xiaomi/Aqara (Lumi) gateway with its LAN mode on.\n"
    "\n"
    "subcommands:\n"
    "  discover              list the gateways that answer whois\n"
    "  devices               list a gateway's devices and their state\n"
    "  read SID              read one device's state\n"
    "  write SID KEY=VALUE...  set attributes of a device (needs --password)\n"
    "  listen                print device events as they happen\n"
    "\n"
    "Run 'lumo lumi SUBCOMMAND --help' for its options.\n"
    "\n"
    "exit status: 0 on success, 1 when no gateway answers or a device or the\n"
    "network fails, 2 on bad usage.\n";

#define GW_OPTS_HELP                                                                     \
  "  --interface ADDR    this host's address on the gateway's network (default:\n"       \
  "                      every multicast-capable interface)\n"                           \
  "  --ip IP             the gateway's address (default: found by whois)\n"              \
  "  --sid SID           take only the gateway with this sid (default: the first)\n"     \
  "  --timeout SECONDS   how long to wait for the gateway to answer, and for each\n"     \
  "                      reply (default 5)\n"
#define PASSWORD_HELP                                                                    \
  "  --password P        the gateway's LAN-mode key from the Mi Home app (16\n"          \
  "                      characters, case-sensitive); or set " LUMI_CLI_PASSWORD_ENV     \
  "\n"
#define COMMON_HELP                                                                      \
  "  --log-level LEVEL   debug, info, warn, error or off (default warn)\n"               \
  "  -h, --help          show this help\n"

static const char discover_help[] =
    "usage: lumo lumi discover [options]\n"
    "\n"
    "Sends whois to 224.0.0.50:4321 and lists the gateways that answer within\n"
    "the timeout: sid, address, command port, model and protocol version.\n"
    "\n"
    "options:\n"
    "  --interface ADDR    this host's address on the gateway's network (default:\n"
    "                      every multicast-capable interface)\n"
    "  --timeout SECONDS   how long to listen for answers (default 5)\n"
    "  --json              one JSON object a line instead of a table\n" COMMON_HELP "\n"
    "exit status: 0 when a gateway answered, 1 when none did, 2 on bad usage.\n";

static const char devices_help[] =
    "usage: lumo lumi devices [options]\n"
    "\n"
    "Finds the gateway, loads its device list and prints every device (the\n"
    "gateway first): sid, model, kind, name, online and state.\n"
    "\n"
    "options:\n" GW_OPTS_HELP
    "  --json              one JSON object a line instead of a table\n" COMMON_HELP;

static const char read_help[] =
    "usage: lumo lumi read SID [options]\n"
    "\n"
    "Reads a device's state from the gateway and prints it, one KEY=VALUE a\n"
    "line, in the normalised names and units lumo uses everywhere.\n"
    "\n"
    "options:\n" GW_OPTS_HELP
    "  --json              {\"sid\",\"model\",\"kind\",\"state\"} as one JSON "
    "object\n" COMMON_HELP;

static const char write_help[] =
    "usage: lumo lumi write SID KEY=VALUE... --password P [options]\n"
    "\n"
    "Writes attributes to a device, with the key made from the password and the\n"
    "gateway's current token. VALUE is a number if it is one (21.5, -3, 0xff0000),\n"
    "true or false, otherwise a string; quote it to keep a string: KEY='\"123\"'.\n"
    "Prints the state the gateway sent with its acknowledgement (on most firmware,\n"
    "the state before the write: the change follows as a report).\n"
    "\n"
    "options:\n" PASSWORD_HELP GW_OPTS_HELP
    "  --json              {\"sid\",\"model\",\"written\",\"ack\"} as one JSON "
    "object\n" COMMON_HELP;

static const char listen_help[] =
    "usage: lumo lumi listen [options]\n"
    "\n"
    "Prints device events as they happen, one a line: time, device, model, event\n"
    "and its data as KEY=VALUE. A report that means an event (motion, open, on,\n"
    "click...) is printed as that event; other reports as 'report'. Heartbeats\n"
    "and the gateway's 'ready' are not printed unless asked for with --event.\n"
    "Runs until SIGINT, --count or --for.\n"
    "\n"
    "options:\n" GW_OPTS_HELP
    "  --event NAME        only events with this name (repeatable; '*' is every\n"
    "                      event, reports and heartbeats included)\n"
    "  --device SID        only events from this device (repeatable)\n"
    "  --count N           stop after N events\n"
    "  --for SECONDS       stop after this long\n"
    "  --json              one JSON object a line: {\"time\",\"device\",\"model\",\n"
    "                      \"event\",\"data\"}\n" COMMON_HELP;

/* ---- options ---- */

/* A sid as the gateway would send it: short, no spaces or quotes. */
int lumi_cli_is_sid(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= LUMI_SID_MAX) return 0;
  for (; *s; s++)
    if (!isgraph((unsigned char)*s) || *s == '"' || *s == '\\') return 0;
  return 1;
}

/* Parses argv (argv[0] the subcommand) into o. Returns -1 to go on, or the
 * exit status (help shown, or a usage error reported). */
static int parse_options(int argc, char **argv, unsigned allowed, const char *help,
                         opts_t *o) {
  enum {
    OPT_PASSWORD = 0x200,
    OPT_IP,
    OPT_IFACE,
    OPT_SID,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_COUNT,
    OPT_FOR,
    OPT_EVENT,
    OPT_DEVICE,
  };
  static const struct option longopts[] = {
      {"log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL},
      {"password", required_argument, NULL, OPT_PASSWORD},
      {"ip", required_argument, NULL, OPT_IP},
      {"interface", required_argument, NULL, OPT_IFACE},
      {"sid", required_argument, NULL, OPT_SID},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"json", no_argument, NULL, OPT_JSON},
      {"count", required_argument, NULL, OPT_COUNT},
      {"for", required_argument, NULL, OPT_FOR},
      {"event", required_argument, NULL, OPT_EVENT},
      {"device", required_argument, NULL, OPT_DEVICE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *cmd = o->cmd;
  cli_engine_opts_t eo = {0};
  int opt, idx = 0;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
    int r = cli_engine_option(cmd, opt, optarg, &eo);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if (opt >= OPT_PASSWORD && opt <= OPT_DEVICE &&
        !(allowed & (1u << (opt - OPT_PASSWORD))))
      return cli_usage_error(cmd, "unknown option '--%s'", longopts[idx].name);
    switch (opt) {
    case 'h':
      fputs(help, stdout);
      return EXIT_OK;
    case OPT_PASSWORD:
      o->password = optarg;
      break;
    case OPT_IP:
    case OPT_IFACE:
      if (!cli_is_ipv4(optarg))
        return cli_usage_error(cmd, "--%s needs an IPv4 address, not '%s'",
                               opt == OPT_IP ? "ip" : "interface", optarg);
      if (opt == OPT_IP)
        o->ip = optarg;
      else
        o->iface = optarg;
      break;
    case OPT_SID:
      if (!lumi_cli_is_sid(optarg))
        return cli_usage_error(
            cmd, "--sid needs the gateway's sid (12 hex digits, its MAC), not '%s'",
            optarg);
      o->sid = optarg;
      break;
    case OPT_TIMEOUT:
      if (cli_parse_number(optarg, 0.1, 3600, &o->timeout))
        return cli_usage_error(cmd, "--timeout needs seconds from 0.1 to 3600, not '%s'",
                               optarg);
      break;
    case OPT_JSON:
      o->json = 1;
      break;
    case OPT_COUNT: {
      char *end;
      errno = 0;
      o->count = strtol(optarg, &end, 10);
      if (end == optarg || *end || errno || o->count < 1 || o->count > 1000000000)
        return cli_usage_error(
            cmd, "--count needs a whole number of events from 1, not '%s'", optarg);
      break;
    }
    case OPT_FOR:
      if (cli_parse_number(optarg, 0.01, 31536000, &o->for_s))
        return cli_usage_error(cmd, "--for needs seconds from 0.01 to 31536000, not '%s'",
                               optarg);
      break;
    case OPT_EVENT:
    case OPT_DEVICE: {
      int *n = opt == OPT_EVENT ? &o->nevents : &o->ndevices;
      if (*n == LUMI_CLI_MAX_FILTERS)
        return cli_usage_error(cmd, "too many --%s options (at most %d)",
                               opt == OPT_EVENT ? "event" : "device",
                               LUMI_CLI_MAX_FILTERS);
      (opt == OPT_EVENT ? o->events : o->devices)[(*n)++] = optarg;
      break;
    }
    case ':':
      return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  o->args = argv + optind;
  o->nargs = argc - optind;
  if ((allowed & O_PASSWORD) && !o->password) {
    const char *env = getenv(LUMI_CLI_PASSWORD_ENV);
    if (env && *env) o->password = env;
  }
  if (o->password && strlen(o->password) != 16)
    return cli_usage_error(cmd,
                           "the password must be the 16 characters shown in the Mi Home "
                           "app's LAN mode page, not %zu",
                           strlen(o->password));
  return -1;
}

/* ---- errors the subcommands share ---- */

/* "no gateway answered ..." with what to check, for the options given. */
void lumi_cli_not_found(const opts_t *o) {
  const char *sp = o->sid ? " " : "", *sid = o->sid ? o->sid : "";
  if (o->ip)
    fprintf(stderr,
            "lumo %s: the gateway at %s did not answer within %g s: is LAN mode on, and "
            "is %s its address?\n",
            o->cmd, o->ip, o->timeout, o->ip);
  else if (o->iface)
    fprintf(stderr,
            "lumo %s: no gateway%s%s answered within %g s on interface %s: is LAN mode "
            "on, and is %s this host's address on the gateway's network? (see "
            "--interface)\n",
            o->cmd, sp, sid, o->timeout, o->iface, o->iface);
  else
    fprintf(stderr,
            "lumo %s: no gateway%s%s answered within %g s on any interface: is LAN mode "
            "on? try --interface with this host's address on the gateway's network\n",
            o->cmd, sp, sid, o->timeout);
}

void lumi_cli_bind_failed(const opts_t *o, const char *err) {
  if (o->iface)
    fprintf(stderr, "lumo %s: %s (is %s an address of this host? see --interface)\n",
            o->cmd, err, o->iface);
  else
    fprintf(stderr, "lumo %s: %s\n", o->cmd, err);
}

/* ---- dispatch ---- */

static const struct {
  const char *name, *cmd;
  unsigned allowed;
  const char *help;
  int (*run)(opts_t *o);
} subcommands[] = {
    {"discover", "lumi discover", O_IFACE | O_TIMEOUT | O_JSON, discover_help,
     lumi_cli_discover},
    {"devices", "lumi devices", O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON, devices_help,
     lumi_cli_devices},
    {"read", "lumi read", O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON, read_help,
     lumi_cli_read},
    {"write", "lumi write", O_PASSWORD | O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON,
     write_help, lumi_cli_write},
    {"listen", "lumi listen",
     O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON | O_COUNT | O_FOR | O_EVENT | O_DEVICE,
     listen_help, lumi_cli_listen},
};

int cmd_lumi(int argc, char **argv) {
  if (argc < 2)
    return cli_usage_error("lumi",
                           "give a subcommand: discover, devices, read, write or listen");
  const char *which = argv[1];
  if (!strcmp(which, "-h") || !strcmp(which, "--help")) {
    fputs(lumi_help, stdout);
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
    if (strcmp(which, subcommands[i].name) != 0) continue;
    opts_t o = {.cmd = subcommands[i].cmd, .timeout = DEFAULT_TIMEOUT};
    /* Progress lines ("found gateway ...") only when asked for: the output
     * is the data. */
    log_set_level(LOG_WARN);
    int r = parse_options(argc - 1, argv + 1, subcommands[i].allowed, subcommands[i].help,
                          &o);
    if (r >= 0) return r;
    return subcommands[i].run(&o);
  }
  if (which[0] == '-')
    return cli_usage_error(
        "lumi", "give the subcommand before options: lumo lumi devices %s", which);
  return cli_usage_error(
      "lumi", "unknown subcommand '%s' (discover, devices, read, write or listen)",
      which);
}
