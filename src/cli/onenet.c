/* `lumo onenet token`: the MQTT password a OneNET device connects with,
 * made from its product id, device name and key, for pasting into another
 * client or checking what lumo will send. */
#include "cli/cli.h"

#include "core/log.h"
#include "proto/onenet.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_ENV "LUMO_ONENET_KEY"
#define DEFAULT_LIFETIME (30 * 86400)

static const char onenet_help[] =
    "usage: lumo onenet COMMAND [options]\n"
    "\n"
    "China Mobile OneNET, one-shot commands.\n"
    "\n"
    "commands:\n"
    "  token   print the token (the MQTT password) for a device or product\n"
    "\n"
    "Run 'lumo onenet COMMAND --help' for a command's options.\n";

static const char token_help[] =
    "usage: lumo onenet token --product ID [--device NAME] [options]\n"
    "\n"
    "Prints the OneNET token: version=2018-10-31&res=...&et=...&method=...&sign=...\n"
    "A device connects with client id = its name, user name = the product id and\n"
    "this token as the password. With --device, the token is the device's\n"
    "(signed with the device key); without, the product's (product access key).\n"
    "\n"
    "options:\n"
    "  --product ID        the product id (产品ID) from the OneNET console\n"
    "  --device NAME       the device name (设备名称)\n"
    "  --key KEY           the device's (or product's) key, base64 as the console\n"
    "                      shows it; default: $" KEY_ENV " (keeps it out of the\n"
    "                      shell history and the process list)\n"
    "  --method M          md5, sha1 or sha256 (default sha256)\n"
    "  --et UNIX           expiry as Unix seconds (default: now + --lifetime)\n"
    "  --lifetime SECONDS  validity from now (default 2592000: 30 days)\n"
    "  --json              {\"token\",\"res\",\"et\",\"method\"} as one JSON object\n"
    "  --log-level LEVEL   debug, info, warn, error or off (default info)\n"
    "  -h, --help          show this help\n";

static int parse_ll(const char *s, long long lo, long long hi, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static int cmd_token(int argc, char **argv) {
  enum {
    OPT_PRODUCT = 0x200,
    OPT_DEVICE,
    OPT_KEY,
    OPT_METHOD,
    OPT_ET,
    OPT_LIFE,
    OPT_JSON
  };
  static const struct option longopts[] = {
      {"log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL},
      {"product", required_argument, NULL, OPT_PRODUCT},
      {"device", required_argument, NULL, OPT_DEVICE},
      {"key", required_argument, NULL, OPT_KEY},
      {"method", required_argument, NULL, OPT_METHOD},
      {"et", required_argument, NULL, OPT_ET},
      {"lifetime", required_argument, NULL, OPT_LIFE},
      {"json", no_argument, NULL, OPT_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *cmd = "onenet token";
  const char *product = NULL, *device = NULL, *key = getenv(KEY_ENV), *method = "sha256";
  long long et = 0, lifetime = DEFAULT_LIFETIME;
  int json = 0, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'h':
      fputs(token_help, stdout);
      return EXIT_OK;
    case CLI_OPT_LOG_LEVEL: {
      log_level_t level;
      if (log_parse_level(optarg, &level) != 0)
        return cli_usage_error(cmd, "unknown log level '%s'", optarg);
      log_set_level(level);
      break;
    }
    case OPT_PRODUCT:
      product = optarg;
      break;
    case OPT_DEVICE:
      device = optarg;
      break;
    case OPT_KEY:
      key = optarg;
      break;
    case OPT_METHOD:
      method = optarg;
      break;
    case OPT_ET:
      if (parse_ll(optarg, 1, 32503680000LL, &et))
        return cli_usage_error(cmd, "--et must be a Unix time in seconds, not '%s'",
                               optarg);
      break;
    case OPT_LIFE:
      if (parse_ll(optarg, 1, 100LL * 365 * 86400, &lifetime))
        return cli_usage_error(cmd, "--lifetime must be a number of seconds, not '%s'",
                               optarg);
      break;
    case OPT_JSON:
      json = 1;
      break;
    case ':':
      return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
  if (!product) return cli_usage_error(cmd, "give the product id with --product");
  if (!key || !*key)
    return cli_usage_error(cmd, "give the key with --key or in $%s", KEY_ENV);
  if (!et) et = (long long)time(NULL) + lifetime;

  char res[160], token[ONENET_TOKEN_MAX];
  int rc = onenet_res(product, device, res, sizeof res);
  if (rc < 0) return cli_usage_error(cmd, "%s", onenet_strerror(rc));
  rc = onenet_token(res, et, method, key, token, sizeof token);
  if (rc == ONENET_EMETHOD)
    return cli_usage_error(cmd, "--method must be md5, sha1 or sha256, not '%s'", method);
  if (rc == ONENET_EKEY) {
    char shown[8];
    return cli_usage_error(cmd,
                           "the key (%s) is not base64: copy it from the OneNET "
                           "console as it is shown",
                           log_redact(key, shown, sizeof shown));
  }
  if (rc < 0) return cli_usage_error(cmd, "%s", onenet_strerror(rc));
  if (json) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddStringToObject(o, "res", res);
    cJSON_AddNumberToObject(o, "et", (double)et);
    cJSON_AddStringToObject(o, "method", method);
    char *text = cJSON_PrintUnformatted(o);
    if (!text) abort();
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
  } else {
    printf("%s\n", token);
  }
  return EXIT_OK;
}

int cmd_onenet(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fputs(onenet_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!strcmp(argv[1], "token")) return cmd_token(argc - 1, argv + 1);
  return cli_usage_error("onenet", "unknown command '%s' (commands: token)", argv[1]);
}
