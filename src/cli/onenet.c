/* `lumo onenet token`: the MQTT password a OneNET device connects with,
 * made from its product id, device name and key, for pasting into another
 * client or checking what lumo will send. */
#include "cli/cli.h"

#include "core/log.h"
#include "drivers/onenet.h"
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
    "  post    post data points once, as the device, and print the platform's answer\n"
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

static const char post_help[] =
    "usage: lumo onenet post --product ID --device NAME [options] NAME=VALUE...\n"
    "\n"
    "Connects as the device, posts the values as data points (VALUE a number, a\n"
    "JSON object, or else a string), waits for the platform's answer and prints\n"
    "'accepted' (exit 0) or why it was refused (exit 1).\n"
    "\n"
    "options:\n"
    "  --product ID, --device NAME, --key KEY, --method M, --et UNIX, --lifetime S\n"
    "                      as for 'lumo onenet token' (the key defaults to\n"
    "                      $" KEY_ENV ")\n"
    "  --model dp|thing    MQTTS suite (default) or OneNET Studio\n"
    "  --uri URI           the broker (default: the platform's TLS endpoint)\n"
    "  --ca FILE           the platform's CA certificate (MQTTS-certificate.pem)\n"
    "  --insecure          do not verify the broker's certificate (warned)\n"
    "  --timeout SECONDS   give up after this long (default 15)\n"
    "  --json              {\"accepted\",\"error\",\"code\"} as one JSON object\n"
    "  --log-level LEVEL   debug, info, warn (default), error or off\n"
    "  -h, --help          show this help\n";

static int parse_ll(const char *s, long long lo, long long hi, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

typedef struct {
  const char *cmd, *product, *device, *key, *method, *uri, *ca, *model;
  long long et, lifetime;
  int json, insecure;
  double timeout;
  int first_arg; /* argv index of the first operand */
} opts_t;

/* Options of token and post; returns -1 to go on, or an exit status. */
static int parse(int argc, char **argv, int post, opts_t *o) {
  enum {
    OPT_PRODUCT = 0x200,
    OPT_DEVICE,
    OPT_KEY,
    OPT_METHOD,
    OPT_ET,
    OPT_LIFE,
    OPT_JSON,
    OPT_URI,
    OPT_CA,
    OPT_INSECURE,
    OPT_MODEL,
    OPT_TIMEOUT
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
      {"uri", required_argument, NULL, OPT_URI},
      {"ca", required_argument, NULL, OPT_CA},
      {"insecure", no_argument, NULL, OPT_INSECURE},
      {"model", required_argument, NULL, OPT_MODEL},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  *o = (opts_t){.cmd = post ? "onenet post" : "onenet token",
                .key = getenv(KEY_ENV),
                .method = "sha256",
                .lifetime = DEFAULT_LIFETIME,
                .timeout = 15};
  int opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (!post && opt >= OPT_URI && opt <= OPT_TIMEOUT)
      return cli_usage_error(o->cmd, "unknown option '%s'", argv[optind - 1]);
    switch (opt) {
    case 'h':
      fputs(post ? post_help : token_help, stdout);
      return EXIT_OK;
    case CLI_OPT_LOG_LEVEL: {
      log_level_t level;
      if (log_parse_level(optarg, &level) != 0)
        return cli_usage_error(o->cmd, "unknown log level '%s'", optarg);
      log_set_level(level);
      break;
    }
    case OPT_PRODUCT:
      o->product = optarg;
      break;
    case OPT_DEVICE:
      o->device = optarg;
      break;
    case OPT_KEY:
      o->key = optarg;
      break;
    case OPT_METHOD:
      o->method = optarg;
      break;
    case OPT_ET:
      if (parse_ll(optarg, 1, 32503680000LL, &o->et))
        return cli_usage_error(o->cmd, "--et must be a Unix time in seconds, not '%s'",
                               optarg);
      break;
    case OPT_LIFE:
      if (parse_ll(optarg, 1, 100LL * 365 * 86400, &o->lifetime))
        return cli_usage_error(o->cmd, "--lifetime must be a number of seconds, not '%s'",
                               optarg);
      break;
    case OPT_JSON:
      o->json = 1;
      break;
    case OPT_URI:
      o->uri = optarg;
      break;
    case OPT_CA:
      o->ca = optarg;
      break;
    case OPT_INSECURE:
      o->insecure = 1;
      break;
    case OPT_MODEL:
      if (strcmp(optarg, "dp") && strcmp(optarg, "thing"))
        return cli_usage_error(o->cmd, "--model must be dp or thing, not '%s'", optarg);
      o->model = optarg;
      break;
    case OPT_TIMEOUT:
      if (cli_parse_number(optarg, 0.1, 3600, &o->timeout))
        return cli_usage_error(o->cmd, "--timeout must be seconds (0.1 to 3600)");
      break;
    case ':':
      return cli_usage_error(o->cmd, "%s needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(o->cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  o->first_arg = optind;
  if (!o->product) return cli_usage_error(o->cmd, "give the product id with --product");
  if (post && !o->device)
    return cli_usage_error(o->cmd, "give the device name with --device");
  if (!o->key || !*o->key)
    return cli_usage_error(o->cmd, "give the key with --key or in $%s", KEY_ENV);
  if (!o->et) o->et = (long long)time(NULL) + o->lifetime;
  char res[160], token[ONENET_TOKEN_MAX];
  int rc = onenet_res(o->product, o->device, res, sizeof res);
  if (rc >= 0) rc = onenet_token(res, o->et, o->method, o->key, token, sizeof token);
  if (rc == ONENET_EMETHOD)
    return cli_usage_error(o->cmd, "--method must be md5, sha1 or sha256, not '%s'",
                           o->method);
  if (rc == ONENET_EKEY) {
    char shown[8];
    return cli_usage_error(o->cmd,
                           "the key (%s) is not base64: copy it from the OneNET "
                           "console as it is shown",
                           log_redact(o->key, shown, sizeof shown));
  }
  if (rc < 0) return cli_usage_error(o->cmd, "%s", onenet_strerror(rc));
  return -1;
}

static int cmd_token(int argc, char **argv) {
  opts_t o;
  int rc = parse(argc, argv, 0, &o);
  if (rc >= 0) return rc;
  if (o.first_arg < argc)
    return cli_usage_error(o.cmd, "unexpected argument '%s'", argv[o.first_arg]);
  char res[160], token[ONENET_TOKEN_MAX];
  onenet_res(o.product, o.device, res, sizeof res);
  onenet_token(res, o.et, o.method, o.key, token, sizeof token);
  if (o.json) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "token", token);
    cJSON_AddStringToObject(j, "res", res);
    cJSON_AddNumberToObject(j, "et", (double)o.et);
    cJSON_AddStringToObject(j, "method", o.method);
    char *text = cJSON_PrintUnformatted(j);
    if (!text) abort();
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(j);
  } else {
    printf("%s\n", token);
  }
  return EXIT_OK;
}

/* ---- post ---- */

typedef struct {
  engine_t eng;
  const char *cmd;
  int json; /* -1 once the answer is out */
  ev_timer deadline;
} post_run_t;

static void post_done(void *arg, const char *err, int code) {
  post_run_t *r = arg;
  if (r->json < 0) return; /* closing: the answer was given already */
  if (r->json) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddBoolToObject(j, "accepted", err == NULL);
    if (err) cJSON_AddStringToObject(j, "error", err);
    if (code) cJSON_AddNumberToObject(j, "code", code);
    char *text = cJSON_PrintUnformatted(j);
    if (!text) abort();
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(j);
    fflush(stdout);
  } else if (err) {
    if (code)
      fprintf(stderr, "lumo %s: refused: %s (code %d)\n", r->cmd, err, code);
    else
      fprintf(stderr, "lumo %s: %s\n", r->cmd, err);
  } else {
    printf("accepted\n");
  }
  r->json = -1;
  engine_stop(&r->eng, err ? EXIT_FAIL : EXIT_OK);
}

static void post_deadline(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  post_run_t *r = w->data;
  fprintf(stderr,
          "lumo %s: no answer from OneNET in time (is the device's key right? see "
          "--uri, --ca, --timeout)\n",
          r->cmd);
  engine_stop(&r->eng, EXIT_FAIL);
}

/* NAME=VALUE: a number if it is one, a JSON object if it is one, else a
 * string. */
static int parse_point(const char *cmd, char *arg, onenet_point_t *p) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg) return cli_usage_error(cmd, "'%s' is not NAME=VALUE", arg);
  *eq = '\0';
  const char *v = eq + 1;
  *p = (onenet_point_t){.stream = arg, .type = ONENET_V_STRING, .str = v};
  char *end;
  double d = strtod(v, &end);
  if (*v && !*end && end != v) {
    p->type = ONENET_V_NUMBER;
    p->num = d;
  } else if (*v == '{') {
    p->type = ONENET_V_JSON;
  }
  return -1;
}

static int cmd_post(int argc, char **argv) {
  opts_t o;
  log_set_level(LOG_WARN); /* the answer is the output; --log-level for more */
  int rc = parse(argc, argv, 1, &o);
  if (rc >= 0) return rc;
  onenet_point_t pts[64];
  size_t n = 0;
  for (int i = o.first_arg; i < argc; i++) {
    if (n == 64) return cli_usage_error(o.cmd, "at most 64 values");
    if ((rc = parse_point(o.cmd, argv[i], &pts[n++])) >= 0) return rc;
  }
  if (n == 0) return cli_usage_error(o.cmd, "give at least one NAME=VALUE");
  static post_run_t r;
  memset(&r, 0, sizeof r);
  r.cmd = o.cmd;
  r.json = o.json;
  char state[64];
  if (cli_temp_dir(o.cmd, state, sizeof state) != 0) return EXIT_FAIL;
  if (engine_init(&r.eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    cli_remove_tree(state);
    return EXIT_FAIL;
  }
  onenet_config_t cfg = {.product = o.product,
                         .device = o.device,
                         .key = o.key,
                         .method = o.method,
                         .expires = o.et,
                         .thing = o.model && !strcmp(o.model, "thing"),
                         .uri = o.uri,
                         .ca = o.ca,
                         .insecure = o.insecure,
                         .state_dir = state,
                         .interval = 0.01};
  char err[256];
  int status;
  onenet_t *c = onenet_open(&r.eng, &cfg, NULL, NULL, err, sizeof err);
  if (!c) {
    fprintf(stderr, "lumo %s: %s\n", o.cmd, err);
    status = EXIT_USAGE;
  } else if (onenet_post(c, pts, n, post_done, &r, err, sizeof err) != 0) {
    fprintf(stderr, "lumo %s: %s\n", o.cmd, err);
    onenet_close(c);
    status = EXIT_USAGE;
  } else {
    ev_timer_init(&r.deadline, post_deadline, o.timeout, 0);
    r.deadline.data = &r;
    ev_timer_start(r.eng.loop, &r.deadline);
    status = engine_run(&r.eng);
    ev_timer_stop(r.eng.loop, &r.deadline);
    r.json = -1; /* nothing more is printed */
    onenet_close(c);
  }
  engine_close(&r.eng);
  cli_remove_tree(state);
  return status;
}

int cmd_onenet(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fputs(onenet_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!strcmp(argv[1], "token")) return cmd_token(argc - 1, argv + 1);
  if (!strcmp(argv[1], "post")) return cmd_post(argc - 1, argv + 1);
  return cli_usage_error("onenet", "unknown command '%s' (commands: token, post)",
                         argv[1]);
}
