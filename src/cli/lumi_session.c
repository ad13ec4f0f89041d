/* `lumo lumi devices|read|write|listen`: each opens the Lumi driver on the
 * engine core (no Lua), runs the loop until the gateway is found and its
 * device list loaded, then acts once (print, read, write) or, for listen,
 * prints device events until stopped. A session is one such run, with the
 * deadlines the driver does not keep itself. */
#include "cli/cli.h"
#include "cli/lumi_cli.h"

#include "core/mem.h"
#include "core/timer.h"
#include "drivers/lumi_gateway.h"
#include "proto/lumi.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
      lumi_cli_not_found(s->o);
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
         strcmp(name, "offline") && strcmp(name, "ready");
}

/* By default every event but heartbeats and "ready", and a report only when the same
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
  if (o->nevents == 0 && (!strcmp(ev->name, "heartbeat") || !strcmp(ev->name, "ready") ||
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
    lumi_cli_bind_failed(o, err);
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

int lumi_cli_devices(opts_t *o) {
  if (o->nargs > 0)
    return cli_usage_error(o->cmd, "unexpected argument '%s'", o->args[0]);
  session_t s = {0};
  return run_session(o, act_devices, &s);
}

int lumi_cli_read(opts_t *o) {
  if (o->nargs == 0)
    return cli_usage_error(
        o->cmd, "give the SID of the device to read (see 'lumo lumi devices')");
  if (!lumi_cli_is_sid(o->args[0]))
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

int lumi_cli_write(opts_t *o) {
  if (o->nargs == 0)
    return cli_usage_error(o->cmd, "give the SID of the device, then KEY=VALUE...");
  if (!lumi_cli_is_sid(o->args[0]) || strchr(o->args[0], '='))
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
                           "app (or set " LUMI_CLI_PASSWORD_ENV ")");
  }
  return run_session(o, act_write, &s);
}

int lumi_cli_listen(opts_t *o) {
  if (o->nargs > 0)
    return cli_usage_error(
        o->cmd, "unexpected argument '%s' (devices come with --device)", o->args[0]);
  session_t s = {0};
  return run_session(o, act_listen, &s);
}
