/* The Lumi gateway simulator's sockets, requests and timers: every datagram
 * in goes through lumi_parse, every datagram out through lumi_build. */
#include "sim/lumi_sim_internal.h"

#include "core/log.h"
#include "core/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- randomness: tokens and --random need variety, not secrecy ---- */

static uint64_t next_random(lumi_sim_t *s) {
  /* xorshift64* */
  s->rng ^= s->rng >> 12;
  s->rng ^= s->rng << 25;
  s->rng ^= s->rng >> 27;
  return s->rng * 2685821657736338717ULL;
}

uint32_t sim_random(lumi_sim_t *s, uint32_t n) {
  return n ? (uint32_t)((next_random(s) >> 32) % n) : 0;
}

void sim_token_rotate(lumi_sim_t *s) {
  static const char alnum[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int i = 0; i < LUMI_TOKEN_LEN; i++) s->token[i] = alnum[sim_random(s, 62)];
  s->token[LUMI_TOKEN_LEN] = 0;
}

/* ---- life cycle ---- */

lumi_sim_t *lumi_sim_new(const lumi_sim_opts_t *o) {
  lumi_sim_t *s = mem_calloc(1, sizeof *s);
  snprintf(s->bind, sizeof s->bind, "%s", o->bind);
  snprintf(s->iface, sizeof s->iface, "%s", o->iface);
  snprintf(s->password, sizeof s->password, "%s", o->password);
  snprintf(s->sid, sizeof s->sid, "%s", o->sid);
  s->proto = o->proto == 2 ? 2 : 1;
  s->heartbeat = o->heartbeat;
  s->device_heartbeat = o->device_heartbeat;
  s->random_rate = o->random_rate;
  s->cmd_fd = s->whois_fd = s->group_fd = s->in_fd = -1;
  s->heartbeats_on = 1;
  if (getrandom(&s->rng, sizeof s->rng, 0) != (ssize_t)sizeof s->rng)
    s->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
  if (!s->rng) s->rng = 0x9e3779b97f4a7c15ULL;
  sim_token_rotate(s);
  sim_dev_add_gateway(s);
  s->dev_hb_next = 1;
  return s;
}

void lumi_sim_free(lumi_sim_t *s) {
  if (!s) return;
  lumi_sim_stop(s);
  free(s->devs);
  free(s);
}

static double now(lumi_sim_t *s) {
  return s->loop ? ev_now(s->loop) : 0;
}

double sim_silence_left(lumi_sim_t *s) {
  double left = s->silent_until - now(s);
  return left > 0 ? left : 0;
}

void sim_silence(lumi_sim_t *s, double seconds) {
  s->silent_until = now(s) + seconds;
}

/* ---- sending ---- */

static void peer_name(const struct sockaddr_in *a, char *out, size_t cap) {
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
  snprintf(out, cap, "%s:%d", ip, ntohs(a->sin_port));
}

/* Builds msg in the simulator's protocol and sends it from fd to `to`. */
static int send_msg(lumi_sim_t *s, int fd, lumi_msg_t *m, const struct sockaddr_in *to) {
  char out[LUMI_MAX_DATAGRAM];
  m->proto = s->proto;
  int n = lumi_build(m, out, sizeof out);
  if (n < 0) {
    log_error(SIM_WHERE, "cannot build %s: %s", m->cmd_name ? m->cmd_name : "a message",
              lumi_strerror(n));
    return -1;
  }
  char peer[32];
  peer_name(to, peer, sizeof peer);
  if (sendto(fd, out, (size_t)n, 0, (const struct sockaddr *)to, sizeof *to) < 0) {
    log_warn(SIM_WHERE, "cannot send to %s: %s", peer, strerror(errno));
    return -1;
  }
  log_debug(SIM_WHERE, "sent to %s: %s", peer, out);
  return 0;
}

static void put_attrs(lumi_msg_t *m, const sim_attr_t *a, int n) {
  if (n > LUMI_MAX_ATTRS) n = LUMI_MAX_ATTRS;
  for (int i = 0; i < n; i++) {
    m->attrs[i].key = a[i].key;
    m->attrs[i].type = a[i].is_num ? LUMI_VAL_NUMBER : LUMI_VAL_STRING;
    m->attrs[i].str = a[i].is_num ? NULL : a[i].str;
    m->attrs[i].num = a[i].num;
  }
  m->nattrs = n;
}

/* The envelope every message about a device carries. */
static void put_device(lumi_sim_t *s, lumi_msg_t *m, const sim_device_t *d) {
  m->sid = d->sid;
  m->model = d->model;
  if (s->proto == 1) m->short_id = d->short_id;
}

static int multicast(lumi_sim_t *s, lumi_msg_t *m) {
  if (sim_silence_left(s) > 0) return 0;
  if (s->cmd_fd < 0) return -1;
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(LUMI_PORT)};
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &to.sin_addr);
  return send_msg(s, s->cmd_fd, m, &to) == 0 ? 1 : -1;
}

int sim_send_report(lumi_sim_t *s, const sim_device_t *d, const sim_attr_t *attrs,
                    int n) {
  lumi_msg_t m;
  lumi_msg_init(&m, LUMI_CMD_REPORT);
  put_device(s, &m, d);
  put_attrs(&m, attrs, n);
  return multicast(s, &m);
}

int sim_send_heartbeat(lumi_sim_t *s, const sim_device_t *d) {
  lumi_msg_t m;
  lumi_msg_init(&m, LUMI_CMD_HEARTBEAT);
  put_device(s, &m, d);
  sim_attr_t a[SIM_MAX_ATTRS];
  int n = 0;
  if (d->kind == LUMI_KIND_GATEWAY) {
    m.token = s->token;
    memset(&a[0], 0, sizeof a[0]);
    snprintf(a[0].key, sizeof a[0].key, "ip");
    snprintf(a[0].str, sizeof a[0].str, "%s", s->bind);
    n = 1;
  } else {
    for (int i = 0; i < d->nattrs; i++)
      if (!sim_attr_is_event(s->proto, d->kind, d->attrs[i].key)) a[n++] = d->attrs[i];
  }
  put_attrs(&m, a, n);
  return multicast(s, &m);
}

/* ---- requests ---- */

static sim_device_t *find_sid(lumi_sim_t *s, const char *sid) {
  for (int i = 0; i < s->ndevs; i++)
    if (!strcmp(s->devs[i].sid, sid)) return &s->devs[i];
  return NULL;
}

static void reply_error(lumi_sim_t *s, int fd, const struct sockaddr_in *to,
                        lumi_cmd_t cmd, const char *sid, const char *error) {
  lumi_msg_t m;
  lumi_msg_init(&m, cmd);
  if (sid) m.sid = sid;
  m.error = error;
  send_msg(s, fd, &m, to);
}

static void send_iam(lumi_sim_t *s, int fd, const struct sockaddr_in *to) {
  lumi_msg_t m;
  lumi_msg_init(&m, LUMI_CMD_IAM);
  m.ip = s->bind;
  m.port = LUMI_PORT;
  m.model = s->devs[0].model;
  m.sid = s->sid;
  m.proto_version = s->proto == 2 ? "2.0.2" : "1.1.2";
  send_msg(s, fd, &m, to); /* v2: the codec adds "protocal":"UDP" (sic) */
}

static void send_list(lumi_sim_t *s, const struct sockaddr_in *to) {
  lumi_msg_t m;
  lumi_msg_init(&m, s->proto == 2 ? LUMI_CMD_DISCOVERY_RSP : LUMI_CMD_GET_ID_LIST_ACK);
  m.sid = s->sid;
  m.token = s->token;
  for (int i = 1; i < s->ndevs && m.ndevices < LUMI_MAX_DEVICES; i++) {
    m.devices[m.ndevices].sid = s->devs[i].sid;
    m.devices[m.ndevices].model = s->proto == 2 ? s->devs[i].model : "";
    m.ndevices++;
  }
  send_msg(s, s->cmd_fd, &m, to);
}

static void send_state(lumi_sim_t *s, lumi_cmd_t cmd, const sim_device_t *d,
                       const sim_attr_t *attrs, int n, const struct sockaddr_in *to) {
  lumi_msg_t m;
  lumi_msg_init(&m, cmd);
  put_device(s, &m, d);
  put_attrs(&m, attrs, n);
  send_msg(s, s->cmd_fd, &m, to);
}

static int key_ok(lumi_sim_t *s, const char *key) {
  char want[LUMI_KEY_HEX_LEN + 1];
  if (!key || strlen(key) != LUMI_KEY_HEX_LEN) return 0;
  if (lumi_compute_key(s->password, s->token, want) != 0) return 0;
  return strcasecmp(key, want) == 0;
}

static int on_off(const lumi_attr_t *a) {
  if (a->type != LUMI_VAL_STRING) return -1;
  return !strcmp(a->str, "on") ? 1 : !strcmp(a->str, "off") ? 0 : -1;
}

static int attr_number(const lumi_attr_t *a, double *v) {
  if (a->type == LUMI_VAL_NUMBER) {
    *v = a->num;
    return 1;
  }
  if (a->type != LUMI_VAL_STRING || !*a->str) return 0;
  char *end;
  *v = strtod(a->str, &end);
  return *end == 0;
}

/* Applies one written attribute to d; appends what the device then reports
 * to rep. Returns 0, or -1 (logged) when the attribute is not writable. */
static int apply_one(lumi_sim_t *s, sim_device_t *d, const lumi_attr_t *a,
                     sim_attr_t *rep, int *nrep) {
  const char *k = a->key;
  int p = s->proto;
  double v;
  switch (d->kind) {
  case LUMI_KIND_PLUG:
    if (!strcmp(k, sim_wire_key(p, d->kind, "status")) && on_off(a) >= 0) {
      sim_dev_set_v1(s, d, "status", a->str, 0, &rep[(*nrep)++]);
      return 0;
    }
    break;
  case LUMI_KIND_CTRL2:
    if (!strcmp(k, "channel_1") && on_off(a) >= 0) {
      sim_dev_set_v1(s, d, "channel_1", a->str, 0, &rep[(*nrep)++]);
      return 0;
    }
    /* fall through */
  case LUMI_KIND_CTRL1:
    if (!strcmp(k, "channel_0") && on_off(a) >= 0) {
      sim_dev_set_v1(s, d, "channel_0", a->str, 0, &rep[(*nrep)++]);
      return 0;
    }
    break;
  case LUMI_KIND_CURTAIN:
    if (!strcmp(k, "curtain_level") && attr_number(a, &v) && v >= 0 && v <= 100) {
      char buf[16];
      snprintf(buf, sizeof buf, "%d", (int)v);
      sim_dev_set_v1(s, d, "curtain_level", buf, 0, &rep[(*nrep)++]);
      return 0;
    }
    if (!strcmp(k, sim_wire_key(p, d->kind, "status")) && a->type == LUMI_VAL_STRING &&
        (!strcmp(a->str, "open") || !strcmp(a->str, "close") ||
         !strcmp(a->str, "stop"))) {
      if (strcmp(a->str, "stop"))
        sim_dev_set_v1(s, d, "curtain_level", !strcmp(a->str, "open") ? "100" : "0", 0,
                       &rep[(*nrep)++]);
      return 0;
    }
    break;
  case LUMI_KIND_GATEWAY:
    if (!strcmp(k, "rgb") && attr_number(a, &v) && v >= 0 && v <= 4294967295.0) {
      sim_dev_set_v1(s, d, "rgb", NULL, (double)(uint32_t)v, &rep[(*nrep)++]);
      return 0;
    }
    if (!strcmp(k, "mid") || !strcmp(k, "vol")) {
      if (attr_number(a, &v))
        log_info(SIM_WHERE, "gateway: %s %g%s", !strcmp(k, "mid") ? "ringtone" : "volume",
                 v, !strcmp(k, "mid") && v == 10000 ? " (stop)" : "");
      return 0;
    }
    if (!strcmp(k, "join_permission")) {
      log_info(SIM_WHERE, "gateway: join_permission %s (nothing pairs with a simulator)",
               a->type == LUMI_VAL_STRING ? a->str : "?");
      return 0;
    }
    if (!strcmp(k, "remove_device") && a->type == LUMI_VAL_STRING) {
      sim_device_t *gone = find_sid(s, a->str);
      if (gone && gone != d) {
        log_info(SIM_WHERE, "gateway: removed device %s (%s)", gone->sid, gone->model);
        sim_dev_remove(s, gone);
      } else {
        log_warn(SIM_WHERE, "gateway: remove_device %s: no such sub-device", a->str);
      }
      return 0;
    }
    break;
  default:
    break;
  }
  log_warn(SIM_WHERE,
           "write to %s (%s): ignored '%s' (not something %s takes in proto %d)", d->sid,
           d->model, k, sim_kind_label(d->kind), p);
  return -1;
}

static void do_write(lumi_sim_t *s, const lumi_msg_t *req, const struct sockaddr_in *to,
                     const char *peer) {
  lumi_cmd_t ack = LUMI_CMD_WRITE_ACK;
  if (!key_ok(s, req->key)) {
    char k[16];
    log_info(SIM_WHERE, "write to %s from %s refused: invalid key %s", req->sid, peer,
             *req->key ? log_redact(req->key, k, sizeof k) : "(none)");
    reply_error(s, s->cmd_fd, to, ack, req->sid, "Invalid key");
    return;
  }
  sim_device_t *d = find_sid(s, req->sid);
  if (!d) {
    reply_error(s, s->cmd_fd, to, ack, req->sid, "No device");
    return;
  }
  sim_attr_t before[SIM_MAX_ATTRS], rep[LUMI_MAX_ATTRS + 1];
  int nbefore = d->nattrs, nrep = 0;
  memcpy(before, d->attrs, sizeof before);
  for (int i = 0; i < req->nattrs && nrep < LUMI_MAX_ATTRS; i++)
    if (strcmp(req->attrs[i].key, "key") != 0)
      apply_one(s, d, &req->attrs[i], rep, &nrep);
  /* the gateway's light reports its illumination alongside */
  if (d->kind == LUMI_KIND_GATEWAY && nrep > 0 && sim_dev_get(d, "illumination"))
    rep[nrep++] = *sim_dev_get(d, "illumination");
  send_state(s, ack, d, before, nbefore, to);
  if (nrep > 0) sim_send_report(s, d, rep, nrep);
}

static void handle(lumi_sim_t *s, int fd, const char *buf, size_t len,
                   const struct sockaddr_in *from, int discovery_port) {
  char peer[32];
  peer_name(from, peer, sizeof peer);
  lumi_msg_t *req = mem_alloc(sizeof *req);
  int rc = lumi_parse(buf, len, req);
  if (rc != LUMI_OK) {
    log_debug(SIM_WHERE, "from %s: %s: %.*s", peer, lumi_strerror(rc),
              len > 200 ? 200 : (int)len, buf);
    if (discovery_port)
      send_iam(s, s->whois_fd, from); /* a real gateway answers anything on 4321 */
    else
      reply_error(s, fd, from, LUMI_CMD_SERVER_ACK, NULL, "Invalid json msg");
    free(req);
    return;
  }
  log_debug(SIM_WHERE, "from %s: %s%s%s", peer, req->cmd_name, *req->sid ? " " : "",
            req->sid);
  if (discovery_port || req->cmd == LUMI_CMD_WHOIS) {
    send_iam(s, discovery_port ? s->whois_fd : fd, from);
  } else if ((req->cmd == LUMI_CMD_GET_ID_LIST && s->proto == 1) ||
             (req->cmd == LUMI_CMD_DISCOVERY && s->proto == 2)) {
    send_list(s, from);
  } else if (req->cmd == LUMI_CMD_READ) {
    sim_device_t *d = find_sid(s, req->sid);
    if (d)
      send_state(s, LUMI_CMD_READ_ACK, d, d->attrs, d->nattrs, from);
    else
      reply_error(s, fd, from, LUMI_CMD_READ_ACK, req->sid, "No device");
  } else if (req->cmd == LUMI_CMD_WRITE) {
    do_write(s, req, from, peer);
  } else {
    reply_error(s, fd, from, LUMI_CMD_SERVER_ACK, NULL, "Unsupported cmd");
  }
  free(req);
}

static void on_datagram(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_sim_t *s = w->data;
  char buf[LUMI_MAX_DATAGRAM];
  for (int i = 0; i < 64; i++) {
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(w->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log_warn(SIM_WHERE, "receive: %s", strerror(errno));
      return;
    }
    if (from.sin_family != AF_INET) continue;
    handle(s, w->fd, buf, (size_t)n, &from, w->fd != s->cmd_fd);
  }
}

/* ---- timers ---- */

static void on_heartbeat(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_sim_t *s = w->data;
  sim_token_rotate(s); /* even when the heartbeat itself is suppressed */
  if (s->heartbeats_on) sim_send_heartbeat(s, &s->devs[0]);
}

static void on_device_heartbeat(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)revents;
  lumi_sim_t *s = w->data;
  int nsub = s->ndevs - 1;
  if (nsub <= 0) return;
  if (s->dev_hb_next < 1 || s->dev_hb_next >= s->ndevs) s->dev_hb_next = 1;
  if (s->heartbeats_on) sim_send_heartbeat(s, &s->devs[s->dev_hb_next]);
  s->dev_hb_next = s->dev_hb_next + 1 < s->ndevs ? s->dev_hb_next + 1 : 1;
  /* spread over the period: each device once per period */
  w->repeat = s->device_heartbeat / nsub;
  ev_timer_again(loop, w);
}

static void on_random(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)revents;
  lumi_sim_t *s = w->data;
  double due = (ev_now(loop) - s->random_start) * s->random_rate;
  uint64_t n = due > (double)s->random_sent ? (uint64_t)due - s->random_sent : 0;
  if (n > 1000) n = 1000; /* after a stall, catch up a little at a time */
  for (uint64_t i = 0; i < n; i++) sim_random_report(s);
  s->random_sent += n;
}

/* ---- sockets ---- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int open_udp(const char *addr, int port, int reuse, int *out, char *err,
                    size_t errlen) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(err, errlen, "cannot open a UDP socket: %s", strerror(errno));
  int one = 1;
  if (reuse) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, addr, &a.sin_addr);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    int e = errno;
    close(fd);
    return fail(err, errlen, "cannot bind %s:%d: %s%s", addr, port, strerror(e),
                e == EADDRINUSE ? " (another program or simulator has it: give another "
                                  "--bind address)"
                : e == EADDRNOTAVAIL ? " (not an address of this host: see --bind)"
                                     : "");
  }
  *out = fd;
  return 0;
}

static int open_sockets(lumi_sim_t *s, char *err, size_t errlen) {
  struct in_addr iface, group;
  inet_pton(AF_INET, s->iface, &iface);
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &group);
  if (open_udp(s->bind, LUMI_PORT, 0, &s->cmd_fd, err, errlen) ||
      open_udp(s->bind, LUMI_DISCOVERY_PORT, 0, &s->whois_fd, err, errlen) ||
      open_udp(LUMI_MULTICAST_ADDR, LUMI_DISCOVERY_PORT, 1, &s->group_fd, err, errlen))
    return -1;
  /* Multicast leaves through --interface and nowhere else. */
  unsigned char ttl = 1, loop = 1;
  if (setsockopt(s->cmd_fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) != 0)
    return fail(err, errlen, "cannot send multicast via %s: %s (see --interface)",
                s->iface, strerror(errno));
  if (setsockopt(s->cmd_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
      setsockopt(s->cmd_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0)
    return fail(err, errlen, "cannot set multicast options: %s", strerror(errno));
  struct ip_mreq mreq = {.imr_multiaddr = group, .imr_interface = iface};
  if (setsockopt(s->group_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
    return fail(err, errlen,
                "cannot join %s on %s: %s (is multicast on for that interface? e.g. "
                "'ip link set lo multicast on'; see --interface)",
                LUMI_MULTICAST_ADDR, s->iface, strerror(errno));
  return 0;
}

static void start_io(lumi_sim_t *s, ev_io *w, int fd) {
  ev_io_init(w, on_datagram, fd, EV_READ);
  w->data = s;
  ev_io_start(s->loop, w);
}

int lumi_sim_start(lumi_sim_t *s, struct ev_loop *loop, int console_fd, FILE *out,
                   char *err, size_t errlen) {
  s->loop = loop;
  if (open_sockets(s, err, errlen) != 0) {
    lumi_sim_stop(s);
    return -1;
  }
  s->started = 1;
  start_io(s, &s->cmd_w, s->cmd_fd);
  start_io(s, &s->whois_w, s->whois_fd);
  start_io(s, &s->group_w, s->group_fd);

  ev_timer_init(&s->hb_timer, on_heartbeat, 0., s->heartbeat); /* the first at once */
  s->hb_timer.data = s;
  ev_timer_start(loop, &s->hb_timer);
  if (s->device_heartbeat > 0 && s->ndevs > 1) {
    double every = s->device_heartbeat / (s->ndevs - 1);
    ev_timer_init(&s->dev_hb_timer, on_device_heartbeat, every, every);
    s->dev_hb_timer.data = s;
    ev_timer_start(loop, &s->dev_hb_timer);
  }
  if (s->random_rate > 0 && s->ndevs > 1) {
    double tick = 1.0 / s->random_rate;
    if (tick < 0.01) tick = 0.01;
    ev_timer_init(&s->random_timer, on_random, tick, tick);
    s->random_timer.data = s;
    s->random_start = ev_now(loop);
    ev_timer_start(loop, &s->random_timer);
  }
  if (console_fd >= 0) sim_console_start(s, console_fd, out);

  char pw[16];
  log_info(SIM_WHERE,
           "gateway %s (%s, proto %s) at %s:%d; whois on %s:%d and %s:%d via %s; "
           "multicast to %s:%d via %s; password %s; %d devices",
           s->sid, s->devs[0].model, s->proto == 2 ? "2.0.2" : "1.1.2", s->bind,
           LUMI_PORT, LUMI_MULTICAST_ADDR, LUMI_DISCOVERY_PORT, s->bind,
           LUMI_DISCOVERY_PORT, s->iface, LUMI_MULTICAST_ADDR, LUMI_PORT, s->iface,
           log_redact(s->password, pw, sizeof pw), s->ndevs - 1);
  return 0;
}

void lumi_sim_stop(lumi_sim_t *s) {
  if (s->loop) {
    ev_io_stop(s->loop, &s->cmd_w);
    ev_io_stop(s->loop, &s->whois_w);
    ev_io_stop(s->loop, &s->group_w);
    ev_timer_stop(s->loop, &s->hb_timer);
    ev_timer_stop(s->loop, &s->dev_hb_timer);
    ev_timer_stop(s->loop, &s->random_timer);
  }
  sim_console_stop(s);
  int *fds[] = {&s->cmd_fd, &s->whois_fd, &s->group_fd};
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
    if (*fds[i] >= 0) close(*fds[i]);
    *fds[i] = -1;
  }
  s->started = 0;
}
