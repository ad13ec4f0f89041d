/* The Lumi simulator's console: one command a line on standard input makes a
 * device report ("motion hall", "temp lounge 23.5"), answered with one line. */
#include "sim/lumi_sim_internal.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char lumi_sim_console_help[] =
    "  motion SID              the motion sensor sees motion\n"
    "  no_motion SID SECONDS   no motion for that long, e.g. 120 (proto 1 only)\n"
    "  open SID, close SID     a door/window sensor opens or closes\n"
    "  click SID [CH]          a button or wall remote is pressed (CH: 0, 1 or both)\n"
    "  double_click SID [CH]   ... twice\n"
    "  long_press SID          a button is held; long_release SID: let go\n"
    "  temp SID CELSIUS        e.g. temp lounge 23.5\n"
    "  humidity SID PERCENT    e.g. humidity lounge 40.2\n"
    "  pressure SID KPA        e.g. pressure lounge 100.1 (weather sensors)\n"
    "  on SID [CH], off SID [CH]  a plug or wall switch turns on or off\n"
    "  leak SID, dry SID       a water-leak sensor\n"
    "  report SID KEY=VALUE... raw attributes, names as given; a VALUE that is a\n"
    "                          number is sent as one, \"quoted\" as a string\n"
    "  heartbeat [SID]         send a heartbeat now (the gateway's without SID)\n"
    "  silence SECONDS         send no multicast for that long (0 ends it)\n"
    "  stop-heartbeats, start-heartbeats\n"
    "  token                   change the token now (told by the next heartbeat)\n"
    "  devices                 list the devices and their state\n"
    "  help                    this list\n"
    "SID is a device's sid or its name.\n";

/* ---- helpers ---- */

static const char *dev_name(const sim_device_t *d) {
  return *d->name ? d->name : d->sid;
}

static int say(char *out, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *out, size_t cap, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  return rc;
}

static int wrong_kind(const char *cmd, const sim_device_t *d, const char *need, char *out,
                      size_t cap) {
  return say(out, cap, -1, "'%s' needs %s; %s is %s (%s)", cmd, need, dev_name(d),
             sim_kind_label(d->kind), d->model);
}

static int number(const char *arg, double lo, double hi, double *v) {
  char *end;
  errno = 0;
  *v = strtod(arg, &end);
  return end != arg && !*end && !errno && isfinite(*v) && *v >= lo && *v <= hi;
}

/* Multicasts attrs (already in d's state) and says what happened. */
static int emit(lumi_sim_t *s, sim_device_t *d, const sim_attr_t *a, int n, char *out,
                size_t cap) {
  char js[1024];
  sim_attrs_json(a, n, js, sizeof js);
  int r = sim_send_report(s, d, a, n);
  if (r > 0) return say(out, cap, 0, "sent report %s %s", d->sid, js);
  if (r == 0)
    return say(out, cap, 0, "silent for %.1f s more: report %s %s not sent",
               sim_silence_left(s), d->sid, js);
  return say(out, cap, -1, "could not send report %s %s (see the log)", d->sid, js);
}

static int set_emit(lumi_sim_t *s, sim_device_t *d, const char *v1key, const char *val,
                    char *out, size_t cap) {
  sim_attr_t a;
  sim_dev_set_v1(s, d, v1key, val, 0, &a);
  return emit(s, d, &a, 1, out, cap);
}

/* ---- commands; argv[0] is the command, argv[1] the device when it takes one ---- */

typedef int (*cmd_fn)(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                      size_t cap);

static int c_motion(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                    size_t cap) {
  (void)argc;
  if (d->kind != LUMI_KIND_MOTION)
    return wrong_kind(argv[0], d, "a motion sensor", out, cap);
  if (!strcmp(argv[0], "motion")) {
    sim_dev_unset(d, "no_motion");
    return set_emit(s, d, "status", "motion", out, cap);
  }
  if (s->proto == 2)
    return say(out, cap, -1,
               "proto 2 has no no_motion reports (clients time motion out themselves)");
  double v;
  if (!number(argv[2], 1, 86400, &v) || v != floor(v))
    return say(out, cap, -1, "no_motion needs whole seconds from 1 to 86400, not '%s'",
               argv[2]);
  char buf[16];
  snprintf(buf, sizeof buf, "%d", (int)v);
  return set_emit(s, d, "no_motion", buf, out, cap);
}

static int c_magnet(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                    size_t cap) {
  (void)argc;
  if (d->kind != LUMI_KIND_MAGNET)
    return wrong_kind(argv[0], d, "a door/window sensor", out, cap);
  return set_emit(s, d, "status", argv[0], out, cap);
}

static int c_button(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                    size_t cap) {
  const char *cmd = argv[0];
  int dbl = !strcmp(cmd, "double_click"), press = !strcmp(cmd, "long_press"),
      release = !strcmp(cmd, "long_release");
  if (d->kind == LUMI_KIND_SWITCH) {
    if (argc > 2) return say(out, cap, -1, "a button has one key: give no channel");
    return set_emit(s, d, "status",
                    press     ? "long_click_press"
                    : release ? "long_click_release"
                    : dbl     ? "double_click"
                              : "click",
                    out, cap);
  }
  if (d->kind != LUMI_KIND_86SW1 && d->kind != LUMI_KIND_86SW2)
    return wrong_kind(cmd, d, "a button or a wall remote", out, cap);
  if (release) return say(out, cap, -1, "wall remotes report no release: use long_press");
  const char *ch = argc > 2 ? argv[2] : "0";
  const char *word = press ? "long_click" : dbl ? "double_click" : "click";
  if (!strcmp(ch, "both") && d->kind == LUMI_KIND_86SW2) {
    return set_emit(s, d, "dual_channel",
                    press ? "long_both_click"
                    : dbl ? "double_both_click"
                          : "both_click",
                    out, cap);
  }
  if (strcmp(ch, "0") && !(d->kind == LUMI_KIND_86SW2 && !strcmp(ch, "1")))
    return say(out, cap, -1, "%s has channel%s, not '%s'", dev_name(d),
               d->kind == LUMI_KIND_86SW2 ? "s 0, 1 and both" : " 0 only", ch);
  return set_emit(s, d, !strcmp(ch, "1") ? "channel_1" : "channel_0", word, out, cap);
}

static int c_climate(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                     size_t cap) {
  (void)argc;
  const char *cmd = argv[0];
  int pressure = !strcmp(cmd, "pressure");
  if (d->kind != LUMI_KIND_HT || (pressure && !strstr(d->model, "weather")))
    return wrong_kind(cmd, d,
                      pressure ? "a weather sensor (weather.v1)"
                               : "a temperature/humidity sensor",
                      out, cap);
  double v,
      lo = pressure               ? 30
           : !strcmp(cmd, "temp") ? -40
                                  : 0,
      hi = pressure ? 110 : 100;
  if (!number(argv[2], lo, hi, &v))
    return say(out, cap, -1, "%s needs a number from %g to %g%s, not '%s'", cmd, lo, hi,
               pressure               ? " (kPa)"
               : !strcmp(cmd, "temp") ? " (°C)"
                                      : " (%)",
               argv[2]);
  /* the wire carries hundredths of °C and %, and Pa */
  char buf[24];
  snprintf(buf, sizeof buf, "%ld", lround(v * (pressure ? 1000 : 100)));
  return set_emit(s, d,
                  pressure               ? "pressure"
                  : !strcmp(cmd, "temp") ? "temperature"
                                         : "humidity",
                  buf, out, cap);
}

static int c_power(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                   size_t cap) {
  const char *cmd = argv[0], *ch = argc > 2 ? argv[2] : "0";
  if (d->kind == LUMI_KIND_PLUG || d->kind == LUMI_KIND_CTRL1) {
    if (strcmp(ch, "0")) return say(out, cap, -1, "%s has channel 0 only", dev_name(d));
    return set_emit(s, d, d->kind == LUMI_KIND_PLUG ? "status" : "channel_0", cmd, out,
                    cap);
  }
  if (d->kind != LUMI_KIND_CTRL2)
    return wrong_kind(cmd, d, "a plug or a wall switch", out, cap);
  if (strcmp(ch, "0") && strcmp(ch, "1"))
    return say(out, cap, -1, "%s has channels 0 and 1, not '%s'", dev_name(d), ch);
  return set_emit(s, d, !strcmp(ch, "1") ? "channel_1" : "channel_0", cmd, out, cap);
}

static int c_leak(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                  size_t cap) {
  (void)argc;
  if (d->kind != LUMI_KIND_LEAK)
    return wrong_kind(argv[0], d, "a water-leak sensor", out, cap);
  return set_emit(s, d, "status", !strcmp(argv[0], "leak") ? "leak" : "no_leak", out,
                  cap);
}

static int c_report(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                    size_t cap) {
  sim_attr_t a[LUMI_MAX_ATTRS];
  int n = 0;
  for (int i = 2; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq || eq == argv[i])
      return say(out, cap, -1, "report needs KEY=VALUE pairs, not '%s'", argv[i]);
    *eq = 0;
    const char *key = argv[i], *val = eq + 1;
    size_t vlen = strlen(val);
    if (strlen(key) >= SIM_KEY_MAX || vlen >= SIM_VAL_MAX)
      return say(out, cap, -1, "'%s' is too long (keys < %d, values < %d characters)",
                 key, SIM_KEY_MAX, SIM_VAL_MAX);
    if (n == LUMI_MAX_ATTRS)
      return say(out, cap, -1, "at most %d attributes in one report", LUMI_MAX_ATTRS);
    if (!sim_dev_get(d, key) && d->nattrs + n >= SIM_MAX_ATTRS)
      return say(out, cap, -1, "%s already has %d attributes, the most it can keep",
                 dev_name(d), d->nattrs);
    memset(&a[n], 0, sizeof a[n]);
    snprintf(a[n].key, sizeof a[n].key, "%s", key);
    char *end;
    double v = strtod(val, &end);
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
      snprintf(a[n].str, sizeof a[n].str, "%.*s", (int)vlen - 2, val + 1);
    } else if (vlen && !*end && isfinite(v)) {
      a[n].is_num = 1;
      a[n].num = v;
    } else {
      snprintf(a[n].str, sizeof a[n].str, "%s", val);
    }
    n++;
  }
  if (n == 0) return say(out, cap, -1, "report needs at least one KEY=VALUE");
  for (int i = 0; i < n; i++)
    sim_dev_set(d, a[i].key, a[i].is_num ? NULL : a[i].str, a[i].num);
  return emit(s, d, a, n, out, cap);
}

static int c_heartbeat(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                       size_t cap) {
  (void)argc;
  (void)argv;
  if (!d) d = &s->devs[0];
  int r = sim_send_heartbeat(s, d);
  if (r > 0) return say(out, cap, 0, "sent heartbeat %s (%s)", d->sid, d->model);
  if (r == 0)
    return say(out, cap, 0, "silent for %.1f s more: heartbeat %s not sent",
               sim_silence_left(s), d->sid);
  return say(out, cap, -1, "could not send heartbeat %s (see the log)", d->sid);
}

static int c_silence(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                     size_t cap) {
  (void)d;
  (void)argc;
  double v;
  if (!number(argv[1], 0, 86400, &v))
    return say(out, cap, -1, "silence needs seconds from 0 to 86400, not '%s'", argv[1]);
  sim_silence(s, v);
  if (v == 0) return say(out, cap, 0, "silence ended");
  return say(out, cap, 0, "silent for %g s: no heartbeats or reports until then", v);
}

static int c_heartbeats(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                        size_t cap) {
  (void)d;
  (void)argc;
  s->heartbeats_on = !strcmp(argv[0], "start-heartbeats");
  if (s->heartbeats_on) return say(out, cap, 0, "heartbeats started");
  return say(out, cap, 0,
             "heartbeats stopped (the token still changes every %g s; "
             "'start-heartbeats' resumes)",
             s->heartbeat);
}

static int c_token(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                   size_t cap) {
  (void)d;
  (void)argc;
  (void)argv;
  sim_token_rotate(s);
  char t[16];
  return say(out, cap, 0,
             "token changed to %s (the next heartbeat, get_id_list or discovery tells "
             "clients)",
             log_redact(s->token, t, sizeof t));
}

static int c_devices(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                     size_t cap) {
  (void)d;
  (void)argc;
  (void)argv;
  size_t n = 0;
  out[0] = 0;
  for (int i = 0; i < s->ndevs && n < cap; i++) {
    const sim_device_t *e = &s->devs[i];
    char js[1024];
    sim_attrs_json(e->attrs, e->nattrs, js, sizeof js);
    int m = snprintf(out + n, cap - n, "%s%-14s %-18s %-8s %s", i ? "\n" : "", e->sid,
                     e->model, *e->name ? e->name : "-", js);
    if (m > 0) n += (size_t)m;
  }
  return 0;
}

static int c_help(lumi_sim_t *s, sim_device_t *d, int argc, char **argv, char *out,
                  size_t cap) {
  (void)s;
  (void)d;
  (void)argc;
  (void)argv;
  size_t n = strlen(lumi_sim_console_help);
  return say(out, cap, 0, "%.*s", (int)(n - 1), lumi_sim_console_help);
}

enum { NO_DEV, DEV, OPT_DEV };

static const struct {
  const char *name;
  int dev, min, max; /* arguments counted after the command itself */
  const char *usage;
  cmd_fn fn;
} commands[] = {
    {"motion", DEV, 1, 1, "motion SID", c_motion},
    {"no_motion", DEV, 2, 2, "no_motion SID SECONDS", c_motion},
    {"open", DEV, 1, 1, "open SID", c_magnet},
    {"close", DEV, 1, 1, "close SID", c_magnet},
    {"click", DEV, 1, 2, "click SID [CHANNEL]", c_button},
    {"double_click", DEV, 1, 2, "double_click SID [CHANNEL]", c_button},
    {"long_press", DEV, 1, 2, "long_press SID [CHANNEL]", c_button},
    {"long_release", DEV, 1, 1, "long_release SID", c_button},
    {"temp", DEV, 2, 2, "temp SID CELSIUS", c_climate},
    {"humidity", DEV, 2, 2, "humidity SID PERCENT", c_climate},
    {"pressure", DEV, 2, 2, "pressure SID KPA", c_climate},
    {"on", DEV, 1, 2, "on SID [CHANNEL]", c_power},
    {"off", DEV, 1, 2, "off SID [CHANNEL]", c_power},
    {"leak", DEV, 1, 1, "leak SID", c_leak},
    {"dry", DEV, 1, 1, "dry SID", c_leak},
    {"report", DEV, 2, 64, "report SID KEY=VALUE...", c_report},
    {"heartbeat", OPT_DEV, 0, 1, "heartbeat [SID]", c_heartbeat},
    {"silence", NO_DEV, 1, 1, "silence SECONDS", c_silence},
    {"stop-heartbeats", NO_DEV, 0, 0, "stop-heartbeats", c_heartbeats},
    {"start-heartbeats", NO_DEV, 0, 0, "start-heartbeats", c_heartbeats},
    {"token", NO_DEV, 0, 0, "token", c_token},
    {"devices", NO_DEV, 0, 0, "devices", c_devices},
    {"help", NO_DEV, 0, 0, "help", c_help},
};

int lumi_sim_command(lumi_sim_t *s, const char *line, char *out, size_t cap) {
  char buf[4096], *argv[66], *save = NULL;
  int argc = 0;
  out[0] = 0;
  if (strlen(line) >= sizeof buf)
    return say(out, cap, -1, "line too long (at most %zu characters)", sizeof buf - 1);
  snprintf(buf, sizeof buf, "%s", line);
  for (char *t = strtok_r(buf, " \t\r\n", &save); t && argc < 66;
       t = strtok_r(NULL, " \t\r\n", &save))
    argv[argc++] = t;
  if (argc == 0 || argv[0][0] == '#') return 0;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[0], commands[i].name)) continue;
    if (argc - 1 < commands[i].min || argc - 1 > commands[i].max)
      return say(out, cap, -1, "usage: %s", commands[i].usage);
    sim_device_t *d = NULL;
    if (commands[i].dev != NO_DEV && argc > 1) {
      d = sim_dev_find(s, argv[1]);
      if (!d) return say(out, cap, -1, "unknown device '%s' (see 'devices')", argv[1]);
    }
    return commands[i].fn(s, d, argc, argv, out, cap);
  }
  return say(out, cap, -1, "unknown command '%s' (see 'help')", argv[0]);
}

/* ---- random reports (--random) ---- */

void sim_random_report(lumi_sim_t *s) {
  if (s->ndevs < 2) return;
  sim_device_t *d = &s->devs[1 + sim_random(s, (uint32_t)(s->ndevs - 1))];
  const sim_attr_t *a;
  char line[128], out[1200];
  const char *cmd = NULL, *arg = "";
  char num[24];
  switch (d->kind) {
  case LUMI_KIND_MOTION:
    cmd = "motion";
    break;
  case LUMI_KIND_MAGNET:
    a = sim_dev_get(d, sim_wire_key(s->proto, d->kind, "status"));
    cmd = a && !strcmp(a->str, "open") ? "close" : "open";
    break;
  case LUMI_KIND_SWITCH:
  case LUMI_KIND_86SW1:
  case LUMI_KIND_86SW2:
    cmd = sim_random(s, 4) ? "click" : "double_click";
    break;
  case LUMI_KIND_HT: {
    a = sim_dev_get(d, "temperature");
    double t = a ? (a->is_num ? a->num : atof(a->str)) / 100 : 21.5;
    t += ((double)sim_random(s, 101) - 50) / 100;
    t = t < 15 ? 15 : t > 30 ? 30 : t;
    snprintf(num, sizeof num, "%.2f", t);
    cmd = "temp";
    arg = num;
    break;
  }
  case LUMI_KIND_PLUG:
  case LUMI_KIND_CTRL1:
  case LUMI_KIND_CTRL2:
    a = sim_dev_get(d, sim_wire_key(s->proto, d->kind,
                                    d->kind == LUMI_KIND_PLUG ? "status" : "channel_0"));
    cmd = a && !strcmp(a->str, "on") ? "off" : "on";
    break;
  case LUMI_KIND_LEAK:
    cmd = sim_random(s, 2) ? "leak" : "dry";
    break;
  default:
    cmd = "heartbeat";
    break;
  }
  snprintf(line, sizeof line, "%s %s %s", cmd, d->sid, arg);
  lumi_sim_command(s, line, out, sizeof out);
  log_debug(SIM_WHERE, "random: %s", out);
}

/* ---- standard input ---- */

static void run_line(lumi_sim_t *s, const char *line) {
  char out[16384];
  lumi_sim_command(s, line, out, sizeof out);
  if (!*out || !s->out) return;
  fprintf(s->out, "%s\n", out);
  fflush(s->out);
}

static void on_input(struct ev_loop *loop, ev_io *w, int revents) {
  (void)revents;
  lumi_sim_t *s = w->data;
  for (;;) {
    ssize_t n = read(w->fd, s->inbuf + s->inlen, sizeof s->inbuf - 1 - s->inlen);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      log_warn(SIM_WHERE, "standard input: %s; commands are off", strerror(errno));
      ev_io_stop(loop, w);
      return;
    }
    if (n == 0) {
      s->inbuf[s->inlen] = 0;
      if (s->inlen && !s->in_skip) run_line(s, s->inbuf);
      s->inlen = 0;
      log_debug(SIM_WHERE, "standard input ended; running until SIGINT or SIGTERM");
      ev_io_stop(loop, w);
      return;
    }
    s->inlen += (size_t)n;
    char *start = s->inbuf, *nl;
    while ((nl = memchr(start, '\n', s->inlen - (size_t)(start - s->inbuf)))) {
      *nl = 0;
      if (!s->in_skip) run_line(s, start);
      s->in_skip = 0;
      start = nl + 1;
    }
    s->inlen -= (size_t)(start - s->inbuf);
    memmove(s->inbuf, start, s->inlen);
    if (s->inlen == sizeof s->inbuf - 1) {
      /* no newline in a full buffer: drop the line, up to its end */
      if (!s->in_skip && s->out) {
        fprintf(s->out, "line too long (at most %zu characters): ignored\n",
                sizeof s->inbuf - 2);
        fflush(s->out);
      }
      s->in_skip = 1;
      s->inlen = 0;
    }
  }
}

void sim_console_start(lumi_sim_t *s, int fd, FILE *out) {
  s->in_fd = fd;
  s->out = out;
  s->in_flags = fcntl(fd, F_GETFL);
  if (s->in_flags >= 0) fcntl(fd, F_SETFL, s->in_flags | O_NONBLOCK);
  ev_io_init(&s->in_w, on_input, fd, EV_READ);
  s->in_w.data = s;
  ev_io_start(s->loop, &s->in_w);
}

void sim_console_stop(lumi_sim_t *s) {
  if (s->in_fd < 0) return;
  if (s->loop) ev_io_stop(s->loop, &s->in_w);
  if (s->in_flags >= 0) fcntl(s->in_fd, F_SETFL, s->in_flags);
  s->in_fd = -1;
}
