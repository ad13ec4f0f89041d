/* `lumo sim lumi [options]`: run a simulated device for trying rules and
 * drivers without hardware. */
#include "cli/cli.h"

#include "core/log.h"
#include "sim/lumi_sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sim_help[] =
    "usage: lumo sim SIMULATOR [options]\n"
    "\n"
    "Runs a simulated device on loopback, speaking the real protocol over real\n"
    "sockets, so rules and drivers can be tried without hardware.\n"
    "\n"
    "simulators:\n"
    "  lumi    a Xiaomi/Aqara (Lumi) gateway with Zigbee sensors, plugs and switches\n"
    "\n"
    "Run 'lumo sim lumi --help' for its options.\n";

static const char lumi_help_head[] =
    "usage: lumo sim lumi [options]\n"
    "\n"
    "Runs a simulated Xiaomi/Aqara (Lumi) gateway: it answers whois on\n"
    "224.0.0.50:4321 and commands (get_id_list or discovery, read, write) on\n"
    "BIND:9898, and multicasts heartbeats and reports to 224.0.0.50:9898, as the\n"
    "LAN protocol v1 or v2 does. Commands on standard input make its devices\n"
    "report; it runs until SIGINT or SIGTERM (the end of input does not stop it).\n"
    "\n"
    "options:\n"
    "  --bind ADDR               the gateway's own address (default 127.0.0.2, so a\n"
    "                            client on 127.0.0.1 can use port 9898 too)\n"
    "  --interface ADDR          interface address for multicast, sending and\n"
    "                            joining 224.0.0.50 (default 127.0.0.1)\n"
    "  --password P              the gateway password, 16 characters: the AES key\n"
    "                            of write keys (default 0987654321qwerty)\n"
    "  --sid SID                 the gateway's sid, 12 hex digits (default\n"
    "                            7811dcb7a982)\n"
    "  --proto 1|2               protocol version (default 1): 1 sends `data`\n"
    "                            strings and answers get_id_list; 2 sends `params`\n"
    "                            and answers discovery\n"
    "  --heartbeat SECONDS       gateway heartbeat period, each with a new token\n"
    "                            (default 10)\n"
    "  --device-heartbeat SECONDS  sub-device heartbeat period, spread over the\n"
    "                            devices (default 600; 0 = none)\n"
    "  --devices FILE            devices from a JSON file: [{\"sid\": "
    "\"158d0001c2f110\",\n"
    "                            \"model\": \"sensor_motion.aq2\", \"name\": \"hall\",\n"
    "                            \"state\": {\"lux\": \"200\"}}, ...]; state in proto 1\n"
    "                            names and forms\n"
    "  --device MODEL:SID[:NAME] add a device (repeatable)\n"
    "  --random RATE             random plausible reports per second (default 0)\n"
    "  --log-level LEVEL         debug (every request), info, warn, error or off\n"
    "                            (default info)\n"
    "  -h, --help                show this help\n"
    "\n"
    "Without --devices or --device there are five: hall (sensor_motion.aq2\n"
    "158d0001c2f110), door (sensor_magnet.aq2 158d0001d3a221), button\n"
    "(sensor_switch.aq2 158d0001e4b332), lounge (sensor_ht 158d0001f5c443) and\n"
    "lamp (plug 158d000200d554).\n"
    "\n"
    "commands on standard input (each answered with one line):\n";

static const char lumi_help_tail[] =
    "\n"
    "A write key must be made from the current token (the latest heartbeat's);\n"
    "any other gets {\"error\":\"Invalid key\"}, as from a real gateway. A write is\n"
    "acknowledged with the state before it; the new state follows as a report.\n"
    "\n"
    "exit status: 0 after SIGINT or SIGTERM, 1 if the sockets cannot be opened,\n"
    "2 on bad usage.\n";

static int cmd_sim_lumi(int argc, char **argv) {
  enum {
    OPT_BIND = 0x200,
    OPT_IFACE,
    OPT_PASSWORD,
    OPT_SID,
    OPT_PROTO,
    OPT_HEARTBEAT,
    OPT_DEV_HEARTBEAT,
    OPT_DEVICES,
    OPT_DEVICE,
    OPT_RANDOM,
  };
  static const struct option longopts[] = {
      {"log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL},
      {"bind", required_argument, NULL, OPT_BIND},
      {"interface", required_argument, NULL, OPT_IFACE},
      {"password", required_argument, NULL, OPT_PASSWORD},
      {"sid", required_argument, NULL, OPT_SID},
      {"proto", required_argument, NULL, OPT_PROTO},
      {"heartbeat", required_argument, NULL, OPT_HEARTBEAT},
      {"device-heartbeat", required_argument, NULL, OPT_DEV_HEARTBEAT},
      {"devices", required_argument, NULL, OPT_DEVICES},
      {"device", required_argument, NULL, OPT_DEVICE},
      {"random", required_argument, NULL, OPT_RANDOM},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  static const char cmd[] = "sim lumi";
  lumi_sim_opts_t o = {
      .bind = LUMI_SIM_DEFAULT_BIND,
      .iface = LUMI_SIM_DEFAULT_IFACE,
      .password = LUMI_SIM_DEFAULT_PASSWORD,
      .sid = LUMI_SIM_DEFAULT_SID,
      .proto = 1,
      .heartbeat = 10,
      .device_heartbeat = 600,
  };
  /* Device options are kept in order and applied once the protocol is known. */
  const char *devopts[512];
  int devkind[512], ndevopts = 0;
  cli_engine_opts_t eo = {0};
  int opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    int r = cli_engine_option(cmd, opt, optarg, &eo);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    switch (opt) {
    case 'h':
      fputs(lumi_help_head, stdout);
      fputs(lumi_sim_console_help, stdout);
      fputs(lumi_help_tail, stdout);
      return EXIT_OK;
    case OPT_BIND:
    case OPT_IFACE:
      if (!cli_is_ipv4(optarg))
        return cli_usage_error(cmd, "--%s needs an IPv4 address, not '%s'",
                               opt == OPT_BIND ? "bind" : "interface", optarg);
      if (opt == OPT_BIND)
        o.bind = optarg;
      else
        o.iface = optarg;
      break;
    case OPT_PASSWORD:
      if (strlen(optarg) != 16)
        return cli_usage_error(cmd,
                               "--password must be 16 characters (the gateway's AES "
                               "key), not %zu",
                               strlen(optarg));
      o.password = optarg;
      break;
    case OPT_SID: {
      size_t n = strlen(optarg);
      int ok = n == 12;
      for (size_t i = 0; ok && i < n; i++)
        ok = isxdigit((unsigned char)optarg[i]) && !isupper((unsigned char)optarg[i]);
      if (!ok)
        return cli_usage_error(
            cmd, "--sid needs 12 lower-case hex digits (the gateway's MAC), not '%s'",
            optarg);
      o.sid = optarg;
      break;
    }
    case OPT_PROTO:
      if (strcmp(optarg, "1") && strcmp(optarg, "2"))
        return cli_usage_error(cmd, "--proto must be 1 or 2, not '%s'", optarg);
      o.proto = optarg[0] - '0';
      break;
    case OPT_HEARTBEAT:
      if (cli_parse_number(optarg, 0.01, 86400, &o.heartbeat))
        return cli_usage_error(
            cmd, "--heartbeat needs seconds from 0.01 to 86400, not '%s'", optarg);
      break;
    case OPT_DEV_HEARTBEAT:
      if (cli_parse_number(optarg, 0, 86400, &o.device_heartbeat) ||
          (o.device_heartbeat > 0 && o.device_heartbeat < 0.01))
        return cli_usage_error(
            cmd,
            "--device-heartbeat needs seconds from 0.01 to 86400 (0 = none), not '%s'",
            optarg);
      break;
    case OPT_RANDOM:
      if (cli_parse_number(optarg, 0, 100000, &o.random_rate))
        return cli_usage_error(
            cmd, "--random needs reports per second from 0 to 100000, not '%s'", optarg);
      break;
    case OPT_DEVICES:
    case OPT_DEVICE:
      if (ndevopts == (int)(sizeof devopts / sizeof devopts[0]))
        return cli_usage_error(cmd, "too many --device/--devices options");
      devkind[ndevopts] = opt;
      devopts[ndevopts++] = optarg;
      break;
    case ':':
      return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error(cmd, "unexpected argument '%s' (devices come with --device)",
                           argv[optind]);

  lumi_sim_t *sim = lumi_sim_new(&o);
  char err[512];
  for (int i = 0; i < ndevopts; i++) {
    int rc = devkind[i] == OPT_DEVICES
                 ? lumi_sim_load_devices(sim, devopts[i], err, sizeof err)
                 : lumi_sim_add_device_spec(sim, devopts[i], err, sizeof err);
    if (rc != 0) {
      lumi_sim_free(sim);
      return cli_usage_error(cmd, "%s", err);
    }
  }
  if (ndevopts == 0) lumi_sim_add_default_devices(sim);

  engine_t eng;
  if (engine_init(&eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    lumi_sim_free(sim);
    return EXIT_FAIL;
  }
  int status = EXIT_FAIL;
  if (lumi_sim_start(sim, eng.loop, STDIN_FILENO, stdout, err, sizeof err) == 0)
    status = engine_run(&eng);
  else
    fprintf(stderr, "lumo sim lumi: %s\n", err);
  lumi_sim_free(sim);
  engine_close(&eng);
  return status;
}

int cmd_sim(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("sim", "give a simulator to run: lumi");
  const char *which = argv[1];
  if (!strcmp(which, "-h") || !strcmp(which, "--help")) {
    fputs(sim_help, stdout);
    return EXIT_OK;
  }
  if (!strcmp(which, "lumi")) return cmd_sim_lumi(argc - 1, argv + 1);
  if (which[0] == '-')
    return cli_usage_error("sim", "give the simulator before options: lumo sim lumi %s",
                           which);
  return cli_usage_error("sim", "unknown simulator '%s' (lumi is the one there is)",
                         which);
}
