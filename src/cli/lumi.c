/* `lumo lumi discover|devices|read|write|listen`: one-shot commands for a
 * Xiaomi/Aqara (Lumi) gateway. No Lua: each drives the engine core and the
 * driver directly, running the loop until it has its answer or a deadline
 * passes. discover speaks whois/iam on its own socket; the others open the
 * driver and act once it is ready (gateway found, device list loaded). */
#include "cli/cli.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/net.h"
#include "core/timer.h"
#include "drivers/lumi_gateway.h"
#include "proto/lumi.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* lumi_print.c */
void lumi_print_gateways(FILE *out, const cJSON *gateways, int json);
void lumi_print_devices(FILE *out, const registry_t *reg, const void *driver, int json);
void lumi_print_state(FILE *out, const device_t *dev, const value_t *values, size_t n,
                      int json);
void lumi_print_written(FILE *out, const device_t *dev, const value_t *written,
                        size_t nwritten, const value_t *ack, size_t nack, int json);
void lumi_print_event(FILE *out, const bus_event_t *ev, int json);

#define DEFAULT_TIMEOUT 5.0
#define MAX_FILTERS 32
#define PASSWORD_ENV "LUMO_LUMI_PASSWORD"

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

typedef struct {
  const char *cmd; /* "lumi read", for messages */
  const char *password, *ip, *iface, *sid;
  double timeout;
  int json;
  long count;   /* listen: stop after this many events (0: no limit) */
  double for_s; /* listen: stop after this long (0: no limit) */
  const char *events[MAX_FILTERS], *devices[MAX_FILTERS];
  int nevents, ndevices;
  char **args; /* the positional arguments */
  int nargs;
} opts_t;

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
  "                      characters, case-sensitive); or set " PASSWORD_ENV "\n"
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
    "are not printed unless asked for with --event. Runs until SIGINT, --count\n"
    "or --for.\n"
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

static int parse_seconds(const char *arg, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (end == arg || *end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static int is_ipv4(const char *s) {
  struct in_addr a;
  return inet_pton(AF_INET, s, &a) == 1;
}

/* A sid as the gateway would send it: short, no spaces or quotes. */
static int is_sid(const char *s) {
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
      if (!is_ipv4(optarg))
        return cli_usage_error(cmd, "--%s needs an IPv4 address, not '%s'",
                               opt == OPT_IP ? "ip" : "interface", optarg);
      if (opt == OPT_IP)
        o->ip = optarg;
      else
        o->iface = optarg;
      break;
    case OPT_SID:
      if (!is_sid(optarg))
        return cli_usage_error(
            cmd, "--sid needs the gateway's sid (12 hex digits, its MAC), not '%s'",
            optarg);
      o->sid = optarg;
      break;
    case OPT_TIMEOUT:
      if (parse_seconds(optarg, 0.1, 3600, &o->timeout))
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
      if (parse_seconds(optarg, 0.01, 31536000, &o->for_s))
        return cli_usage_error(cmd, "--for needs seconds from 0.01 to 31536000, not '%s'",
                               optarg);
      break;
    case OPT_EVENT:
    case OPT_DEVICE: {
      int *n = opt == OPT_EVENT ? &o->nevents : &o->ndevices;
      if (*n == MAX_FILTERS)
        return cli_usage_error(cmd, "too many --%s options (at most %d)",
                               opt == OPT_EVENT ? "event" : "device", MAX_FILTERS);
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
    const char *env = getenv(PASSWORD_ENV);
    if (env && *env) o->password = env;
  }
  if (o->password && strlen(o->password) != 16)
    return cli_usage_error(cmd,
                           "the password must be the 16 characters shown in the Mi Home "
                           "app's LAN mode page, not %zu",
                           strlen(o->password));
  return -1;
}

/* "no gateway answered ..." with what to check, for the options given. */
static void not_found(const opts_t *o) {
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

static void bind_failed(const opts_t *o, const char *err) {
  if (o->iface)
    fprintf(stderr, "lumo %s: %s (is %s an address of this host? see --interface)\n",
            o->cmd, err, o->iface);
  else
    fprintf(stderr, "lumo %s: %s\n", o->cmd, err);
}

/* ---- discover: whois on our own socket, iam answers collected ---- */

typedef struct {
  engine_t eng;
  const opts_t *o;
  struct in_addr iface;
  int fd;
  ev_io io;
  ev_timer deadline, resend;
  lumi_msg_t *msg;
  cJSON *found; /* [{sid, ip, port, model, proto_version}] in order of answer */
} discover_t;

static void send_datagram(discover_t *d, const lumi_msg_t *m, struct in_addr to,
                          int port) {
  char buf[512];
  int len = lumi_build(m, buf, sizeof buf);
  struct sockaddr_in sa = {
      .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = to};
  if (len < 0 ||
      sendto(d->fd, buf, (size_t)len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
    log_debug("lumi", "cannot send %s: %s", m->cmd_name, strerror(errno));
}

/* whois through the interface given, or through every multicast-capable
 * one: never where the routing table would send it. */
static void send_whois(discover_t *d) {
  lumi_msg_t *m = d->msg;
  struct in_addr group;
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &group);
  lumi_msg_init(m, LUMI_CMD_WHOIS);
  if (d->o->iface) {
    net_mcast_set_if(d->fd, d->iface);
    send_datagram(d, m, group, LUMI_DISCOVERY_PORT);
    return;
  }
  struct ifaddrs *ifs = NULL;
  if (getifaddrs(&ifs) != 0) return;
  for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_MULTICAST)) continue;
    net_mcast_set_if(d->fd, ((struct sockaddr_in *)i->ifa_addr)->sin_addr);
    send_datagram(d, m, group, LUMI_DISCOVERY_PORT);
  }
  freeifaddrs(ifs);
}

static cJSON *find_sid(cJSON *list, const char *sid) {
  cJSON *g;
  cJSON_ArrayForEach(g, list) {
    if (strcmp(cJSON_GetObjectItem(g, "sid")->valuestring, sid) == 0) return g;
  }
  return NULL;
}

/* An iam adds a gateway (once, however many interfaces it came through);
 * one without proto_version is asked for it with a read, as its read_ack
 * carries it. */
static void on_discover_io(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)revents;
  discover_t *d = w->data;
  char buf[LUMI_MAX_DATAGRAM];
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  ssize_t len;
  while ((len = recvfrom(d->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) >=
         0) {
    lumi_msg_t *m = d->msg;
    fl = sizeof from;
    if (lumi_parse(buf, (size_t)len, m) != LUMI_OK || !*m->sid) continue;
    log_debug("lumi", "<- %.*s", (int)len, buf);
    cJSON *g = find_sid(d->found, m->sid);
    if (m->cmd == LUMI_CMD_READ_ACK && g && *m->proto_version) {
      cJSON_ReplaceItemInObject(g, "proto_version", cJSON_CreateString(m->proto_version));
      continue;
    }
    if (m->cmd != LUMI_CMD_IAM || g) continue;
    if (*m->model && lumi_kind_of(m->model) != LUMI_KIND_GATEWAY) continue;
    char ip[16];
    struct in_addr a;
    if (!*m->ip || net_parse_ipv4(m->ip, &a) != 0) a = from.sin_addr;
    int port = m->port > 0 ? m->port : LUMI_PORT;
    g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "sid", m->sid);
    cJSON_AddStringToObject(g, "ip", net_ipv4_str(a, ip));
    cJSON_AddNumberToObject(g, "port", port);
    cJSON_AddItemToObject(g, "model",
                          *m->model ? cJSON_CreateString(m->model) : cJSON_CreateNull());
    if (*m->proto_version) {
      cJSON_AddStringToObject(g, "proto_version", m->proto_version);
    } else {
      cJSON_AddNullToObject(g, "proto_version");
      char sid[LUMI_SID_MAX];
      snprintf(sid, sizeof sid, "%s", m->sid);
      lumi_msg_init(m, LUMI_CMD_READ);
      m->sid = sid;
      send_datagram(d, m, a, port);
    }
    cJSON_AddItemToArray(d->found, g);
  }
}

static void on_discover_resend(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  send_whois(w->data);
}

static void on_discover_deadline(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  discover_t *d = w->data;
  engine_stop(&d->eng, EXIT_OK);
}

static int run_discover(opts_t *o) {
  if (o->nargs > 0)
    return cli_usage_error(o->cmd, "unexpected argument '%s'", o->args[0]);
  discover_t d = {.o = o, .fd = -1};
  char err[256];
  net_parse_ipv4(o->iface, &d.iface);
  if (engine_init(&d.eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    return EXIT_FAIL;
  }
  d.fd = net_udp_open(d.iface, 0, 0, err, sizeof err);
  if (d.fd < 0) {
    bind_failed(o, err);
    engine_close(&d.eng);
    return EXIT_FAIL;
  }
  d.msg = mem_alloc(sizeof *d.msg);
  d.found = cJSON_CreateArray();
  ev_io_init(&d.io, on_discover_io, d.fd, EV_READ);
  d.io.data = &d;
  ev_io_start(d.eng.loop, &d.io);
  ev_timer_init(&d.deadline, on_discover_deadline, o->timeout, 0);
  d.deadline.data = &d;
  ev_timer_start(d.eng.loop, &d.deadline);
  /* whois again every second: one lost datagram must not hide a gateway. */
  ev_timer_init(&d.resend, on_discover_resend, 1, 1);
  d.resend.data = &d;
  ev_timer_start(d.eng.loop, &d.resend);
  send_whois(&d);
  int status = engine_run(&d.eng);
  ev_io_stop(d.eng.loop, &d.io);
  ev_timer_stop(d.eng.loop, &d.deadline);
  ev_timer_stop(d.eng.loop, &d.resend);
  close(d.fd);
  engine_close(&d.eng);

  if (status == EXIT_OK && cJSON_GetArraySize(d.found) == 0) {
    not_found(o);
    status = EXIT_FAIL;
  } else {
    lumi_print_gateways(stdout, d.found, o->json);
  }
  cJSON_Delete(d.found);
  free(d.msg);
  return status;
}

/* ---- the driver-based subcommands ---- */

typedef struct session session_t;
struct session {
  engine_t eng;
  const opts_t *o;
  lumi_gw_t *gw;
  void (*act)(session_t *s); /* runs once the gateway is ready */
  ev_timer watch, stop_after;
  double start, found_at, act_deadline;
  int done; /* the command has its result: callbacks after this are ignored */
  value_t values[LUMI_MAX_ATTRS];
  size_t nvalues;
  device_t *dev; /* read, write: the device */
  bus_handler_t *sub;
  long printed;
  const device_t *named; /* device whose last event was a named one (listen) */
};

/* Prints "lumo lumi CMD: message" and ends the run with EXIT_FAIL. */
static void fail(session_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(session_t *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "lumo %s: ", s->o->cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  s->done = 1;
  engine_stop(&s->eng, EXIT_FAIL);
}

static void finish(session_t *s) {
  s->done = 1;
  engine_stop(&s->eng, EXIT_OK);
}

static size_t count_devices(session_t *s) {
  size_t n = 0;
  for (device_t *d = s->eng.devices.head; d; d = d->next) n += d->driver == (void *)s->gw;
  return n;
}

/* Deadlines the driver does not keep: finding the gateway, loading the
 * device list (each request may take two tries of half the timeout), and,
 * as a safety net, the action's reply. */
static void on_watch(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  session_t *s = w->data;
  double now = timer_now(), t = s->o->timeout;
  device_t *self = lumi_gw_device(s->gw);
  if (s->done) return;
  if (!self) {
    if (now - s->start >= t) {
      not_found(s->o);
      s->done = 1;
      engine_stop(&s->eng, EXIT_FAIL);
    }
    return;
  }
  if (!s->found_at) s->found_at = now;
  if (lumi_gw_ready(s->gw) && !s->act_deadline) {
    ev_timer_stop(s->eng.loop, w); /* listen, or done: nothing left to time */
    return;
  }
  if (!lumi_gw_ready(s->gw) && now - s->found_at > t * (double)(2 + count_devices(s)))
    fail(s, "gateway %s answered whois but did not send its device list in time",
         self->id);
  else if (s->act_deadline && now > s->act_deadline)
    fail(s, "gateway %s stopped answering", self->id);
}

static void on_ready(lumi_gw_t *gw, void *arg) {
  (void)gw;
  session_t *s = arg;
  if (s->done) return;
  s->act(s);
}

/* The device SID (or name) of this gateway, or NULL after a failure. */
static device_t *need_device(session_t *s, const char *sid) {
  device_t *dev = registry_find(&s->eng.devices, sid);
  if (dev && dev->driver == (void *)s->gw) return dev;
  fail(s, "gateway %s has no device '%s' (see 'lumo lumi devices')",
       lumi_gw_device(s->gw)->id, sid);
  return NULL;
}

static void act_devices(session_t *s) {
  lumi_print_devices(stdout, &s->eng.devices, s->gw, s->o->json);
  finish(s);
}

static void read_done(void *arg, const char *err, const value_t *values, size_t n) {
  session_t *s = arg;
  if (s->done) return;
  if (err) {
    fail(s, "%s", err);
    return;
  }
  lumi_print_state(stdout, s->dev, values, n, s->o->json);
  finish(s);
}

static void act_read(session_t *s) {
  device_t *dev = s->dev = need_device(s, s->o->args[0]);
  if (!dev) return;
  s->act_deadline = timer_now() + 2 * s->o->timeout + 1;
  dev->ops->read(dev, read_done, s);
}

static void write_done(void *arg, const char *err, const value_t *values, size_t n) {
  session_t *s = arg;
  if (s->done) return;
  if (err) {
    fail(s, "%s", err);
    return;
  }
  lumi_print_written(stdout, s->dev, s->values, s->nvalues, values, n, s->o->json);
  finish(s);
}

static void act_write(session_t *s) {
  device_t *dev = s->dev = need_device(s, s->o->args[0]);
  if (!dev) return;
  /* A write may take a token refresh and a second try after "Invalid key". */
  s->act_deadline = timer_now() + 4 * s->o->timeout + 1;
  if (lumi_gw_write(s->gw, dev, s->values, s->nvalues, write_done, s) != 0)
    fail(s, "no password for the write"); /* checked before: cannot happen */
}

static int is_named_event(const char *name) {
  return strcmp(name, "report") && strcmp(name, "heartbeat") && strcmp(name, "online") &&
         strcmp(name, "offline");
}

/* By default every event but heartbeats, and a report only when the same
 * message raised no named event (its data came with that event already):
 * the driver raises a message's named events, then its report, with
 * nothing in between. */
static void on_event(bus_handler_t *h, const bus_event_t *ev) {
  session_t *s = h->arg;
  if (s->done || ev->payload_kind != PAYLOAD_DEVICE) return;
  const device_payload_t *p = ev->payload;
  if (p->dev->driver != (void *)s->gw) return;
  const device_t *after_named = s->named;
  s->named = is_named_event(ev->name) ? p->dev : NULL;
  const opts_t *o = s->o;
  int want = o->nevents == 0;
  for (int i = 0; i < o->nevents; i++)
    want |= !strcmp(o->events[i], "*") || !strcmp(o->events[i], ev->name);
  if (o->nevents == 0 && (!strcmp(ev->name, "heartbeat") ||
                          (!strcmp(ev->name, "report") && after_named == p->dev)))
    want = 0;
  if (o->ndevices) {
    int match = 0;
    for (int i = 0; i < o->ndevices; i++)
      match |= !strcmp(o->devices[i], ev->device) ||
               (ev->device_name && !strcmp(o->devices[i], ev->device_name));
    want &= match;
  }
  if (!want) return;
  lumi_print_event(stdout, ev, o->json);
  if (o->count && ++s->printed >= o->count) finish(s);
}

static void on_stop_after(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  finish(w->data);
}

static void act_listen(session_t *s) {
  s->sub = bus_subscribe(&s->eng.bus, "*", NULL, NULL, on_event, s);
  /* On stderr, so a script reading stdout sees only events; tests wait for it. */
  fprintf(stderr, "listening to gateway %s (%zu devices); Ctrl-C to stop\n",
          lumi_gw_device(s->gw)->id, count_devices(s) - 1);
  if (s->o->for_s > 0) {
    ev_timer_init(&s->stop_after, on_stop_after, s->o->for_s, 0);
    s->stop_after.data = s;
    ev_timer_start(s->eng.loop, &s->stop_after);
  }
}

static int run_session(opts_t *o, void (*act)(session_t *), session_t *s) {
  s->o = o;
  s->act = act;
  if (engine_init(&s->eng) != 0) {
    fprintf(stderr, "lumo: cannot start the event loop\n");
    return EXIT_FAIL;
  }
  lumi_gw_config_t cfg = {
      .password = o->password,
      .ip = o->ip,
      .interface = o->iface,
      .sid = o->sid,
      .timeout = o->timeout / 2, /* each request is tried twice */
  };
  char err[256];
  s->gw = lumi_gw_open(&s->eng, &cfg, err, sizeof err);
  if (!s->gw) {
    bind_failed(o, err);
    engine_close(&s->eng);
    return EXIT_FAIL;
  }
  lumi_gw_on_ready(s->gw, on_ready, s);
  s->start = timer_now();
  ev_timer_init(&s->watch, on_watch, 0.05, 0.05);
  s->watch.data = s;
  ev_timer_start(s->eng.loop, &s->watch);
  int status = engine_run(&s->eng);
  /* Stopped by a signal: the end for listen, a failure for the others. */
  if (!s->done && !s->sub && status == EXIT_OK) {
    fprintf(stderr, "lumo %s: interrupted before it was done\n", o->cmd);
    status = EXIT_FAIL;
  }
  ev_timer_stop(s->eng.loop, &s->watch);
  ev_timer_stop(s->eng.loop, &s->stop_after);
  if (s->sub) bus_unsubscribe(&s->eng.bus, s->sub);
  s->done = 1; /* requests failed by the close are not reported */
  lumi_gw_close(s->gw);
  engine_close(&s->eng);
  for (size_t i = 0; i < s->nvalues; i++) free((char *)s->values[i].key);
  fflush(stdout);
  return status;
}

static int run_devices(opts_t *o) {
  if (o->nargs > 0)
    return cli_usage_error(o->cmd, "unexpected argument '%s'", o->args[0]);
  session_t s = {0};
  return run_session(o, act_devices, &s);
}

static int run_read(opts_t *o) {
  if (o->nargs == 0)
    return cli_usage_error(
        o->cmd, "give the SID of the device to read (see 'lumo lumi devices')");
  if (!is_sid(o->args[0]))
    return cli_usage_error(o->cmd, "'%s' is not a device SID (like 158d0001c2f110)",
                           o->args[0]);
  if (o->nargs > 1)
    return cli_usage_error(o->cmd, "unexpected argument '%s' (one SID at a time)",
                           o->args[1]);
  session_t s = {0};
  return run_session(o, act_read, &s);
}

/* KEY=VALUE to a value: numbers (decimal, or 0x hex) and true/false as
 * such, "quoted" text and anything else as a string. The key is a copy the
 * caller frees; the string points into `arg`. */
static int parse_assignment(const opts_t *o, char *arg, value_t *v) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg)
    return cli_usage_error(o->cmd, "'%s' is not KEY=VALUE (e.g. status=on)", arg);
  char *val = eq + 1;
  size_t len = strlen(val);
  v->key = mem_strndup(arg, (size_t)(eq - arg));
  if (!strcmp(v->key, "key"))
    return cli_usage_error(o->cmd, "'key' is made from --password: leave it out");
  if (len == 0)
    return cli_usage_error(
        o->cmd, "'%s' has no value (for an empty string, give %s'\"\"')", arg, arg);
  char *end;
  errno = 0;
  double num = strtod(val, &end);
  int hex = len > 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X');
  int decimal = strspn(val, "0123456789+-.eE") == len && strpbrk(val, "0123456789");
  if (len >= 2 && val[0] == '"' && val[len - 1] == '"') {
    val[len - 1] = '\0';
    *v = (value_t){.key = v->key, .type = VALUE_STRING, .str = val + 1};
  } else if (!strcmp(val, "true") || !strcmp(val, "false")) {
    *v = (value_t){.key = v->key, .type = VALUE_BOOL, .num = val[0] == 't'};
  } else if ((hex || decimal) && !*end && !errno && isfinite(num)) {
    *v = (value_t){.key = v->key, .type = VALUE_NUMBER, .num = num};
  } else {
    *v = (value_t){.key = v->key, .type = VALUE_STRING, .str = val};
  }
  return -1;
}

static int run_write(opts_t *o) {
  if (o->nargs == 0)
    return cli_usage_error(o->cmd, "give the SID of the device, then KEY=VALUE...");
  if (!is_sid(o->args[0]) || strchr(o->args[0], '='))
    return cli_usage_error(o->cmd,
                           "'%s' is not a device SID (like 158d000200d554): give the SID "
                           "first, then KEY=VALUE...",
                           o->args[0]);
  if (o->nargs == 1)
    return cli_usage_error(o->cmd,
                           "give at least one KEY=VALUE to write, e.g. status=on");
  if (o->nargs - 1 > LUMI_MAX_ATTRS)
    return cli_usage_error(o->cmd, "at most %d KEY=VALUE at a time", LUMI_MAX_ATTRS);
  session_t s = {0};
  for (int i = 1; i < o->nargs; i++) {
    int r = parse_assignment(o, o->args[i], &s.values[s.nvalues++]);
    if (r >= 0) {
      for (size_t k = 0; k < s.nvalues; k++) free((char *)s.values[k].key);
      return r;
    }
  }
  if (!o->password) {
    for (size_t k = 0; k < s.nvalues; k++) free((char *)s.values[k].key);
    return cli_usage_error(o->cmd,
                           "give --password: the gateway's LAN-mode key from the Mi Home "
                           "app (or set " PASSWORD_ENV ")");
  }
  return run_session(o, act_write, &s);
}

static int run_listen(opts_t *o) {
  if (o->nargs > 0)
    return cli_usage_error(
        o->cmd, "unexpected argument '%s' (devices come with --device)", o->args[0]);
  session_t s = {0};
  return run_session(o, act_listen, &s);
}

static const struct {
  const char *name, *cmd;
  unsigned allowed;
  const char *help;
  int (*run)(opts_t *o);
} subcommands[] = {
    {"discover", "lumi discover", O_IFACE | O_TIMEOUT | O_JSON, discover_help,
     run_discover},
    {"devices", "lumi devices", O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON, devices_help,
     run_devices},
    {"read", "lumi read", O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON, read_help,
     run_read},
    {"write", "lumi write", O_PASSWORD | O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON,
     write_help, run_write},
    {"listen", "lumi listen",
     O_IP | O_IFACE | O_SID | O_TIMEOUT | O_JSON | O_COUNT | O_FOR | O_EVENT | O_DEVICE,
     listen_help, run_listen},
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
