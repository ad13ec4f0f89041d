/* `lumo mqtt pub|sub`: quick checks of a broker with the same client the
 * rules use (drivers/mqtt_client): publish one message and wait for the
 * broker to take it, or print what arrives on some filters. */
#include "cli/cli.h"

#include "core/log.h"
#include "drivers/mqtt_client.h"
#include "proto/mqtt_topic.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD_ENV "LUMO_MQTT_PASSWORD"
#define MAX_FILTERS 32

static const char mqtt_help[] =
    "usage: lumo mqtt pub|sub [options] ...\n"
    "\n"
    "MQTT, one-shot, with the client lumo's rules use.\n"
    "\n"
    "commands:\n"
    "  pub TOPIC MESSAGE   publish one message and wait until the broker has it\n"
    "  sub FILTER...       print the messages that arrive ('+' one level, '#' all\n"
    "                      below)\n"
    "\n"
    "Run 'lumo mqtt pub --help' or 'lumo mqtt sub --help' for the options.\n";

#define COMMON_HELP                                                                      \
  "  --uri URI           mqtt://host[:1883] or mqtts://host[:8883] (default\n"           \
  "                      mqtt://127.0.0.1:1883)\n"                                       \
  "  --user NAME         user name\n"                                                    \
  "  --password P        password; default: $" PASSWORD_ENV "\n"                         \
  "  --client-id ID      client id (default: lumo-<host>-<pid>)\n"                       \
  "  --ca FILE           CA certificate (PEM) to trust for mqtts\n"                      \
  "  --cert FILE, --key FILE  a client certificate and its key\n"                        \
  "  --insecure          do not verify the broker's certificate (warned)\n"              \
  "  --qos N             0, 1 (default) or 2\n"                                          \
  "  --timeout SECONDS   give up after this long without the broker (default 10)\n"      \
  "  --log-level LEVEL   debug, info, warn (default), error or off\n"                    \
  "  -h, --help          show this help\n"

static const char pub_help[] =
    "usage: lumo mqtt pub [options] TOPIC MESSAGE\n"
    "\n"
    "Publishes MESSAGE (- for standard input) to TOPIC and waits "
    "until the\nbroker has it (QoS 1/2) or it is written (QoS "
    "0).\n"
    "\n"
    "options:\n" COMMON_HELP "  --retain            ask the broker to keep it for new "
    "subscribers\n";

static const char sub_help[] =
    "usage: lumo mqtt sub [options] FILTER...\n"
    "\n"
    "Prints every message on the filters: TOPIC PAYLOAD a line, "
    "or with\n--json {\"topic\",\"payload\",\"qos\",\"retained\"}. "
    "Runs until SIGINT,\n--count or --for. With --log-level info it also says "
    "when the broker\nhas granted the subscriptions.\n"
    "\n"
    "options:\n" COMMON_HELP "  --count N           stop after N messages\n"
    "  --for SECONDS       stop after this long\n"
    "  --json              one JSON object a line\n";

typedef struct {
  engine_t eng;
  const char *cmd;
  mqtt_client_t *c;
  int sub, json, qos, retain, has_for;
  long count, seen;
  const char *topic, *filters[MAX_FILTERS];
  size_t nfilters;
  char *message;
  size_t message_len;
  ev_timer deadline;
  int sent, up;
  size_t acked; /* subscriptions the broker granted */
} run_t;

static void finish(run_t *r, int status) {
  engine_stop(&r->eng, status);
}

static void published(void *arg, const char *err) {
  run_t *r = arg;
  if (err) {
    fprintf(stderr, "lumo %s: %s\n", r->cmd, err);
    finish(r, EXIT_FAIL);
  } else {
    finish(r, EXIT_OK);
  }
}

static void subscribed(void *arg, const char *err) {
  run_t *r = arg;
  if (err) {
    fprintf(stderr, "lumo %s: the broker refused a subscription: %s\n", r->cmd, err);
    finish(r, EXIT_FAIL);
  } else if (++r->acked == r->nfilters) {
    log_info("mqtt", "subscribed to %zu filter%s", r->nfilters,
             r->nfilters > 1 ? "s" : "");
  }
}

static void on_connected(void *arg, int reconnect) {
  run_t *r = arg;
  (void)reconnect;
  r->up = 1;
  if (r->sub) {
    /* Connected: from now on it runs until SIGINT, --count or --for. */
    if (!r->has_for) ev_timer_stop(r->eng.loop, &r->deadline);
    return;
  }
  if (r->sent) return;
  r->sent = 1;
  char err[256];
  if (mqtt_publish(r->c, r->topic, r->message, r->message_len, r->qos, r->retain,
                   published, r, err, sizeof err) != 0) {
    fprintf(stderr, "lumo %s: %s\n", r->cmd, err);
    finish(r, EXIT_FAIL);
  }
}

static void on_disconnected(void *arg, const char *why) {
  run_t *r = arg;
  /* A failed attempt is logged by the client with its retry schedule. */
  if (r->up) fprintf(stderr, "lumo %s: connection lost: %s\n", r->cmd, why);
  r->up = 0;
}

static void on_message(void *arg, const char *topic, const void *payload, size_t len,
                       int qos, int retained) {
  run_t *r = arg;
  int match = 0;
  for (size_t i = 0; i < r->nfilters; i++)
    match |= mqtt_topic_matches(r->filters[i], topic);
  if (!match) return;
  if (r->json) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topic", topic);
    char *text = malloc(len + 1);
    if (!o || !text) abort();
    memcpy(text, payload, len);
    text[len] = '\0';
    cJSON_AddStringToObject(o, "payload", text);
    free(text);
    cJSON_AddNumberToObject(o, "qos", qos);
    cJSON_AddBoolToObject(o, "retained", retained);
    char *line = cJSON_PrintUnformatted(o);
    if (!line) abort();
    printf("%s\n", line);
    cJSON_free(line);
    cJSON_Delete(o);
  } else {
    printf("%s ", topic);
    fwrite(payload, 1, len, stdout);
    putchar('\n');
  }
  fflush(stdout);
  if (r->count && ++r->seen >= r->count) finish(r, EXIT_OK);
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  run_t *r = w->data;
  if (r->sub && mqtt_is_connected(r->c)) {
    finish(r, EXIT_OK); /* --for is over */
    return;
  }
  fprintf(stderr, "lumo %s: the broker was not reached in time (see --uri, --timeout)\n",
          r->cmd);
  finish(r, EXIT_FAIL);
}

static char *read_all(FILE *f, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  if (!buf) abort();
  *len = n;
  return buf;
}

static int run(int argc, char **argv, int sub) {
  enum {
    O_URI = 0x200,
    O_USER,
    O_PASSWORD,
    O_ID,
    O_CA,
    O_CERT,
    O_KEY,
    O_INSECURE,
    O_QOS,
    O_TIMEOUT,
    O_RETAIN,
    O_COUNT,
    O_FOR,
    O_JSON
  };
  static const struct option longopts[] = {
      {"log-level", required_argument, NULL, CLI_OPT_LOG_LEVEL},
      {"uri", required_argument, NULL, O_URI},
      {"user", required_argument, NULL, O_USER},
      {"password", required_argument, NULL, O_PASSWORD},
      {"client-id", required_argument, NULL, O_ID},
      {"ca", required_argument, NULL, O_CA},
      {"cert", required_argument, NULL, O_CERT},
      {"key", required_argument, NULL, O_KEY},
      {"insecure", no_argument, NULL, O_INSECURE},
      {"qos", required_argument, NULL, O_QOS},
      {"timeout", required_argument, NULL, O_TIMEOUT},
      {"retain", no_argument, NULL, O_RETAIN},
      {"count", required_argument, NULL, O_COUNT},
      {"for", required_argument, NULL, O_FOR},
      {"json", no_argument, NULL, O_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  static run_t r;
  memset(&r, 0, sizeof r);
  r.cmd = sub ? "mqtt sub" : "mqtt pub";
  r.sub = sub;
  r.qos = 1;
  mqtt_config_t cfg = {.uri = "mqtt://127.0.0.1:1883",
                       .password = getenv(PASSWORD_ENV),
                       .clean_session = 1};
  double timeout = 10, duration = 0, n;
  log_set_level(LOG_WARN);
  int opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'h':
      fputs(sub ? sub_help : pub_help, stdout);
      return EXIT_OK;
    case CLI_OPT_LOG_LEVEL: {
      log_level_t level;
      if (log_parse_level(optarg, &level) != 0)
        return cli_usage_error(r.cmd, "unknown log level '%s'", optarg);
      log_set_level(level);
      break;
    }
    case O_URI:
      cfg.uri = optarg;
      break;
    case O_USER:
      cfg.user = optarg;
      break;
    case O_PASSWORD:
      cfg.password = optarg;
      break;
    case O_ID:
      cfg.client_id = optarg;
      break;
    case O_CA:
      cfg.tls.ca = optarg;
      break;
    case O_CERT:
      cfg.tls.cert = optarg;
      break;
    case O_KEY:
      cfg.tls.key = optarg;
      break;
    case O_INSECURE:
      cfg.tls.insecure = 1;
      break;
    case O_QOS:
      if (cli_parse_number(optarg, 0, 2, &n) || n != (int)n)
        return cli_usage_error(r.cmd, "--qos must be 0, 1 or 2, not '%s'", optarg);
      r.qos = (int)n;
      break;
    case O_TIMEOUT:
      if (cli_parse_number(optarg, 0.1, 3600, &timeout))
        return cli_usage_error(r.cmd, "--timeout must be seconds (0.1 to 3600)");
      break;
    case O_RETAIN:
      r.retain = 1;
      break;
    case O_COUNT:
      if (!sub || cli_parse_number(optarg, 1, 1e9, &n) || n != (long)n)
        return cli_usage_error(r.cmd, "--count must be a whole number >= 1 (sub only)");
      r.count = (long)n;
      break;
    case O_FOR:
      if (!sub || cli_parse_number(optarg, 0.1, 1e7, &duration))
        return cli_usage_error(r.cmd, "--for must be seconds (sub only)");
      r.has_for = 1;
      break;
    case O_JSON:
      r.json = 1;
      break;
    case ':':
      return cli_usage_error(r.cmd, "%s needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(r.cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (sub) {
    if (optind == argc) return cli_usage_error(r.cmd, "give at least one topic filter");
    for (; optind < argc; optind++) {
      const char *bad = mqtt_filter_error(argv[optind]);
      if (bad) return cli_usage_error(r.cmd, "'%s': %s", argv[optind], bad);
      if (r.nfilters == MAX_FILTERS) return cli_usage_error(r.cmd, "too many filters");
      r.filters[r.nfilters++] = argv[optind];
    }
  } else {
    if (argc - optind != 2) return cli_usage_error(r.cmd, "give TOPIC and MESSAGE");
    r.topic = argv[optind];
    const char *bad = mqtt_topic_error(r.topic);
    if (bad) return cli_usage_error(r.cmd, "'%s': %s", r.topic, bad);
    if (!strcmp(argv[optind + 1], "-")) {
      r.message = read_all(stdin, &r.message_len);
    } else {
      r.message = strdup(argv[optind + 1]);
      if (!r.message) abort();
      r.message_len = strlen(r.message);
    }
  }
  /* A one-shot command keeps nothing for later runs. */
  char state[64];
  if (cli_temp_dir(r.cmd, state, sizeof state) != 0) {
    free(r.message);
    return EXIT_FAIL;
  }
  cfg.state_dir = state;
  if (engine_init(&r.eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    free(r.message);
    cli_remove_tree(state);
    return EXIT_FAIL;
  }
  static const mqtt_events_t ev = {on_connected, on_disconnected, on_message};
  char err[256];
  r.c = mqtt_open(&r.eng, &cfg, &ev, &r, err, sizeof err);
  int status;
  if (!r.c) {
    fprintf(stderr, "lumo %s: %s\n", r.cmd, err);
    status = EXIT_USAGE;
  } else {
    /* Made once connected; subscribed() gets the broker's answer. */
    for (size_t i = 0; i < r.nfilters; i++)
      if (mqtt_subscribe(r.c, r.filters[i], r.qos, subscribed, &r, err, sizeof err) != 0)
        subscribed(&r, err);
    ev_timer_init(&r.deadline, on_deadline, sub && duration ? duration : timeout, 0);
    r.deadline.data = &r;
    ev_timer_start(r.eng.loop, &r.deadline);
    status = engine_run(&r.eng);
    ev_timer_stop(r.eng.loop, &r.deadline);
    mqtt_close(r.c);
  }
  engine_close(&r.eng);
  free(r.message);
  cli_remove_tree(state);
  return status;
}

int cmd_mqtt(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fputs(mqtt_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!strcmp(argv[1], "pub")) return run(argc - 1, argv + 1, 0);
  if (!strcmp(argv[1], "sub")) return run(argc - 1, argv + 1, 1);
  return cli_usage_error("mqtt", "unknown command '%s' (commands: pub, sub)", argv[1]);
}
