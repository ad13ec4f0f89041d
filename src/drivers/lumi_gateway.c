/* The Lumi gateway driver: sockets, the receive path from datagram to
 * registry and bus, discovery, and liveness (offline/online, re-joining the
 * multicast group, polling by unicast when multicast stops arriving).
 *
 * Reports are read in batches with recvmmsg; each is parsed into one
 * reused lumi_msg_t, normalised, stored in the registry and dispatched on
 * the bus synchronously, so a burst costs no allocation per handler. */
#include "drivers/lumi_internal.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/net.h"
#include "core/timer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WHERE "lumi"
#define REJOIN_EVERY 60.0 /* seconds between routine multicast re-joins */
#define BAD_LOG_EVERY 10.0

static void on_mcast(struct ev_loop *loop, ev_io *w, int revents);
static void on_cmd(struct ev_loop *loop, ev_io *w, int revents);
static void on_tick(struct ev_loop *loop, ev_timer *w, int revents);

/* ---- sending ---- */

static int send_to(lumi_gw_t *gw, const char *buf, size_t len, struct in_addr to,
                   int port) {
  struct sockaddr_in sa = {
      .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = to};
  ssize_t n = sendto(gw->cfd, buf, len, 0, (struct sockaddr *)&sa, sizeof sa);
  if (n < 0) {
    char a[16];
    log_debug(WHERE, "send to %s:%d failed: %s", net_ipv4_str(to, a), port,
              strerror(errno));
    return -1;
  }
  return 0;
}

/* Sends whois to the multicast group through the configured interface, or
 * through every multicast-capable interface when none is configured: never
 * through whatever the routing table would pick. */
static void send_whois(lumi_gw_t *gw) {
  char buf[64];
  lumi_msg_init(&gw->out, LUMI_CMD_WHOIS);
  int len = lumi_build(&gw->out, buf, sizeof buf);
  if (len < 0) return;
  struct in_addr group;
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &group);
  if (gw->iface.s_addr != htonl(INADDR_ANY)) {
    net_mcast_set_if(gw->cfd, gw->iface);
    send_to(gw, buf, (size_t)len, group, LUMI_DISCOVERY_PORT);
  } else {
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) == 0) {
      for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        if (!(i->ifa_flags & IFF_UP) || !(i->ifa_flags & IFF_MULTICAST)) continue;
        net_mcast_set_if(gw->cfd, ((struct sockaddr_in *)i->ifa_addr)->sin_addr);
        send_to(gw, buf, (size_t)len, group, LUMI_DISCOVERY_PORT);
      }
      freeifaddrs(ifs);
    }
  }
  /* A configured address also gets it directly. */
  if (gw->cfg.ip) send_to(gw, buf, (size_t)len, gw->gw_addr, LUMI_DISCOVERY_PORT);
  gw->last_whois = timer_now();
}

int lumi_gw_send(lumi_gw_t *gw, const lumi_msg_t *m, int multicast_whois) {
  if (multicast_whois) {
    send_whois(gw);
    return 0;
  }
  char buf[LUMI_SLOT];
  int len = lumi_build(m, buf, sizeof buf);
  if (len < 0) {
    log_error(WHERE, "cannot build a %s request: %s", m->cmd_name ? m->cmd_name : "?",
              lumi_strerror(len));
    return -1;
  }
  log_debug(WHERE, "-> %.*s", len, buf);
  return send_to(gw, buf, (size_t)len, gw->gw_addr, gw->port);
}

/* ---- events ---- */

void lumi_gw_emit(lumi_gw_t *gw, device_t *dev, const char *name, const value_t *values,
                  size_t n) {
  device_payload_t p = {.dev = dev, .values = values, .nvalues = n};
  bus_event_t ev = {.name = name,
                    .device = dev->id,
                    .device_name = dev->name,
                    .model = dev->model,
                    .group = dev->parent ? dev->parent : dev->id,
                    .time = gw->now,
                    .payload_kind = PAYLOAD_DEVICE,
                    .payload = &p};
  gw->stats.events++;
  bus_dispatch(&gw->eng->bus, &ev);
}

static void set_online(lumi_gw_t *gw, device_t *dev, int online) {
  if (dev->online == online) return;
  dev->online = online;
  if (online)
    log_info(WHERE, "%s %s (%s) is back", dev == gw->self ? "gateway" : "device", dev->id,
             dev->model ? dev->model : "?");
  else
    log_warn(WHERE, "%s %s (%s) went silent: offline",
             dev == gw->self ? "gateway" : "device", dev->id,
             dev->model ? dev->model : "?");
  lumi_gw_emit(gw, dev, online ? "online" : "offline", NULL, 0);
}

size_t lumi_gw_values(const lumi_msg_t *m, value_t *out, size_t max) {
  size_t n = 0;
  for (int i = 0; i < m->nattrs && n < max; i++) {
    const lumi_attr_t *a = &m->attrs[i];
    value_t *v = &out[n++];
    v->key = a->key;
    /* A vocabulary word (lumi_normalize), checked by address so that a
     * message not normalised can never pass off a buffer as static. */
    v->key_static = a->id > LUMI_A_OTHER && a->id < LUMI_A_COUNT &&
                    a->key == lumi_attr_name((lumi_attr_id_t)a->id);
    v->str_static = v->key_static && a->str_static && a->type == LUMI_VAL_STRING;
    v->num = a->num;
    v->str = a->str;
    switch (a->type) {
    case LUMI_VAL_STRING:
      v->type = VALUE_STRING;
      break;
    case LUMI_VAL_NUMBER:
      v->type = VALUE_NUMBER;
      break;
    case LUMI_VAL_BOOL:
      v->type = VALUE_BOOL;
      break;
    case LUMI_VAL_JSON:
      v->type = VALUE_JSON;
      break;
    default:
      v->type = VALUE_NULL;
    }
  }
  return n;
}

/* Sub-device silence allowed before it counts as offline: its heartbeat
 * period plus a margin (battery devices report about hourly, mains ones
 * every ten minutes). */
static double device_timeout(const lumi_gw_t *gw, lumi_kind_t kind) {
  if (gw->cfg.device_timeout > 0) return gw->cfg.device_timeout;
  return lumi_kind_is_battery(kind) ? 3600 + 600 : 600 + 300;
}

static device_t *adopt(lumi_gw_t *gw, const char *sid, const char *model, int *created) {
  device_t *dev = registry_add(&gw->eng->devices, sid, created);
  if (*created || !dev->driver) {
    dev->driver = gw;
    dev->ops = &lumi_device_ops;
    device_set_parent(dev, gw->sid[0] ? gw->sid : NULL);
  }
  if (model && *model && (!dev->model || strcmp(dev->model, model) != 0)) {
    device_set_model(dev, model);
    dev->kind_code = lumi_kind_of(model);
    dev->kind = lumi_kind_name(dev->kind_code);
  }
  if (!dev->kind) dev->kind = lumi_kind_name(LUMI_KIND_UNKNOWN);
  if (!dev->name)
    for (size_t i = 0; i < gw->nnames; i++)
      if (strcmp(gw->names[2 * i], sid) == 0) device_set_name(dev, gw->names[2 * i + 1]);
  return dev;
}

/* Stores a message's attributes and raises its events. Reports raise the
 * events their values mean, then "report"; a gateway heartbeat raises
 * "heartbeat"; replies to polls raise events only for values that changed.
 * An unknown sid is a newly paired device: it joins the registry. */
void lumi_gw_apply(lumi_gw_t *gw, lumi_msg_t *m, int from_poll) {
  if (!*m->sid) return;
  int created = 0;
  device_t *dev = adopt(gw, m->sid, m->model, &created);
  if (created && gw->ready)
    log_info(WHERE, "new device %s (%s)", dev->id,
             dev->model ? dev->model : "model unknown");
  lumi_kind_t kind = (lumi_kind_t)dev->kind_code; /* set by adopt with the model */
  if (dev != gw->self) dev->timeout = device_timeout(gw, kind);
  lumi_normalize(m, kind);
  dev->last_seen = gw->now;
  set_online(gw, dev, 1);

  value_t values[LUMI_MAX_ATTRS + 2];
  size_t n = lumi_gw_values(m, values + 2, LUMI_MAX_ATTRS);
  int changed[LUMI_MAX_ATTRS], any_changed = 0;
  for (size_t i = 0; i < n; i++) {
    /* A value seen for the first time (the start-up reads) is the state
     * as found, not a change: polls raise no event for it. */
    int rc = device_set_value(dev, &values[2 + i]);
    changed[i] = rc == 1 || (rc == DEVICE_VALUE_NEW && !from_poll);
    any_changed |= changed[i];
  }

  if (m->cmd == LUMI_CMD_HEARTBEAT) {
    if (dev == gw->self) lumi_gw_emit(gw, dev, "heartbeat", values + 2, n);
    return;
  }
  if (m->cmd != LUMI_CMD_REPORT && !(from_poll && any_changed)) return;

  lumi_event_t evs[8];
  int nev = lumi_events(m, kind, evs, 8);
  for (int i = 0; i < nev; i++) {
    if (from_poll && !changed[evs[i].attr]) continue;
    /* Event data: the message's values, preceded by the detail the event
     * is about (which channel; how many seconds without motion). */
    size_t extra = 0;
    value_t *data = values + 2;
    if (evs[i].channel >= 0) {
      data--;
      extra++;
      *data = (value_t){
          .key = "channel", .key_static = 1, .type = VALUE_NUMBER, .num = evs[i].channel};
    }
    if (strcmp(evs[i].name, "no_motion") == 0 &&
        m->attrs[evs[i].attr].type == LUMI_VAL_NUMBER) {
      data--;
      extra++;
      *data = (value_t){.key = "seconds",
                        .key_static = 1,
                        .type = VALUE_NUMBER,
                        .num = m->attrs[evs[i].attr].num};
    }
    lumi_gw_emit(gw, dev, evs[i].name, data, n + extra);
  }
  gw->stats.reports++;
  lumi_gw_emit(gw, dev, "report", values + 2, n);
}

/* ---- discovery ---- */

void lumi_gw_found(lumi_gw_t *gw, lumi_msg_t *m, struct in_addr from) {
  if (gw->sid[0]) return;
  if (gw->want_sid && strcmp(gw->want_sid, m->sid) != 0) return;
  if (gw->cfg.ip && from.s_addr != gw->gw_addr.s_addr) return;
  snprintf(gw->sid, sizeof gw->sid, "%s", m->sid);
  if (*m->ip && m->cmd == LUMI_CMD_IAM) {
    struct in_addr a;
    gw->gw_addr = net_parse_ipv4(m->ip, &a) == 0 ? a : from;
  } else {
    gw->gw_addr = from;
  }
  gw->have_addr = 1;
  gw->port = m->port > 0 ? m->port : LUMI_PORT;
  if (*m->proto_version)
    gw->proto = m->proto_version[0] == '2' ? 2 : 1;
  else if (m->proto)
    gw->proto = m->proto;
  int created;
  gw->self = adopt(gw, gw->sid, *m->model ? m->model : "gateway", &created);
  if (gw->replay) {
    /* A capture has no gateway to ask for its list: devices join as they
     * report. */
    gw->proto = m->proto ? m->proto : 1;
    gw->ready = 1;
    if (gw->on_ready) gw->on_ready(gw, gw->on_ready_arg);
    lumi_gw_emit(gw, gw->self, "ready", NULL, 0);
    return;
  }
  device_set_parent(gw->self, NULL);
  gw->self->last_seen = gw->last_mcast = gw->now = timer_now();
  char a[16];
  log_info(WHERE, "found gateway %s at %s (protocol v%d)", gw->sid,
           net_ipv4_str(gw->gw_addr, a), gw->proto ? gw->proto : 1);
  if (!gw->proto) gw->proto = 1;
  lumi_req_push(gw, lumi_req_new(REQ_LIST, gw->sid));
}

void lumi_gw_list_loaded(lumi_gw_t *gw, lumi_msg_t *m) {
  if (strlen(m->token) == LUMI_TOKEN_LEN)
    snprintf(gw->token, sizeof gw->token, "%s", m->token);
  if (m->cmd == LUMI_CMD_DISCOVERY_RSP) gw->proto = 2;
  int n = 0;
  /* The gateway's own state first, then each sub-device's. */
  lumi_req_push(gw, lumi_req_new(REQ_READ, gw->sid));
  for (int i = 0; i < m->ndevices; i++) {
    int created;
    adopt(gw, m->devices[i].sid, m->devices[i].model, &created);
    lumi_req_push(gw, lumi_req_new(REQ_READ, m->devices[i].sid));
    n++;
  }
  log_info(WHERE, "gateway %s lists %d sub-device%s; reading their state", gw->sid, n,
           n == 1 ? "" : "s");
  /* Ready once the last of those reads is answered. */
  lumi_req_push(gw, lumi_req_new(REQ_READY, gw->sid));
}

/* ---- receiving ---- */

/* A 64-bit hash of the datagram, eight bytes at a step (multiply, then
 * fold the high half down): a few hundred instructions for a report, where
 * a byte-wise hash took a thousand. Not for adversaries: a collision only
 * drops one datagram within the dedupe window. */
static uint64_t fingerprint(const char *buf, size_t len) {
  const uint64_t k = 0x9e3779b97f4a7c15ull;
  uint64_t h = len * k;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, buf + i, 8);
    h = (h ^ w) * k;
    h ^= h >> 32;
  }
  uint64_t w = 0;
  memcpy(&w, buf + i, len - i);
  h = (h ^ w) * k;
  return h ^ (h >> 29);
}

/* The same datagram again within the window (two interfaces, a gateway
 * repeating itself) is dropped. Each fingerprint has one set of two slots:
 * a lookup is two compares, and a copy is missed only when two other
 * datagrams of its set came in between (of 512 remembered). */
static int duplicate(lumi_gw_t *gw, const char *buf, size_t len, double now) {
  uint64_t h = fingerprint(buf, len);
  lumi_seen_t *set = gw->recent[h % LUMI_DEDUPE_SETS];
  for (int i = 0; i < 2; i++)
    if (set[i].hash == h && now - set[i].at < gw->cfg.dedupe) return 1;
  int older = set[1].at < set[0].at;
  set[older].hash = h;
  set[older].at = now;
  return 0;
}

static void bad_input(lumi_gw_t *gw, const char *what, const char *buf, size_t len) {
  gw->stats.bad++;
  gw->bad_since_log++;
  double now = timer_now();
  /* Rate-limited: a flood of garbage must not become a flood of logs. */
  if (now - gw->last_bad_log < BAD_LOG_EVERY) return;
  log_debug(WHERE, "dropped %lu bad datagram%s (latest: %s: %.60s%s)", gw->bad_since_log,
            gw->bad_since_log == 1 ? "" : "s", what, len ? buf : "",
            len > 60 ? "..." : "");
  gw->bad_since_log = 0;
  gw->last_bad_log = now;
}

/* Reads of every device of this gateway, behind whatever is queued: their
 * replies raise events for the values that changed while reports were
 * lost (polling covers one device per heartbeat period only). */
static void resync(lumi_gw_t *gw) {
  for (device_t *d = gw->eng->devices.head; d; d = d->next)
    if (d->driver == gw) lumi_req_push(gw, lumi_req_new(REQ_READ, d->id));
}

static void handle_mcast(lumi_gw_t *gw, const char *buf, size_t len,
                         struct in_addr from) {
  gw->stats.datagrams++;
  if (gw->have_addr && from.s_addr != gw->gw_addr.s_addr) {
    gw->stats.foreign++; /* another gateway on the LAN */
    return;
  }
  double now = gw->now;
  if (duplicate(gw, buf, len, now)) {
    gw->stats.duplicates++;
    return;
  }
  lumi_msg_t *m = &gw->msg;
  int st = lumi_parse(buf, len, m);
  if (st != LUMI_OK) {
    bad_input(gw, lumi_strerror(st), buf, len);
    return;
  }
  if (!gw->sid[0]) {
    /* Not found yet: a gateway's heartbeat introduces it as well as iam. */
    if (m->cmd == LUMI_CMD_HEARTBEAT && *m->token &&
        lumi_kind_of(m->model) == LUMI_KIND_GATEWAY)
      lumi_gw_found(gw, m, from);
    if (!gw->sid[0]) return;
  }
  /* Everything on the group comes from the gateway: any datagram shows it
   * is alive. */
  gw->last_mcast = now;
  if (gw->self) gw->self->last_seen = now;
  if (gw->gw_silent) {
    gw->gw_silent = 0;
    log_info(WHERE,
             "multicast from gateway %s is arriving again: reading every device "
             "once, for changes missed meanwhile",
             gw->sid);
    resync(gw);
  }
  if (m->cmd == LUMI_CMD_HEARTBEAT) {
    gw->stats.heartbeats++;
    if (strcmp(m->sid, gw->sid) == 0 && strlen(m->token) == LUMI_TOKEN_LEN)
      snprintf(gw->token, sizeof gw->token, "%s", m->token);
  }
  if (m->cmd == LUMI_CMD_REPORT || m->cmd == LUMI_CMD_HEARTBEAT) lumi_gw_apply(gw, m, 0);
}

void lumi_gw_feed(lumi_gw_t *gw, const char *buf, size_t len, const char *from_ip) {
  gw->now = timer_now();
  struct in_addr from = {0};
  net_parse_ipv4(from_ip, &from);
  handle_mcast(gw, buf, len, from);
}

static void on_mcast(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_gw_t *gw = w->data;
  struct mmsghdr msgs[LUMI_BATCH];
  struct iovec iov[LUMI_BATCH];
  struct sockaddr_in from[LUMI_BATCH];
  for (int i = 0; i < LUMI_BATCH; i++) {
    iov[i] = (struct iovec){.iov_base = gw->slots[i], .iov_len = LUMI_SLOT};
    msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                      .msg_namelen = sizeof from[i],
                                      .msg_iov = &iov[i],
                                      .msg_iovlen = 1};
  }
  int n = recvmmsg(gw->mfd, msgs, LUMI_BATCH, MSG_DONTWAIT, NULL);
  gw->now = timer_now();
  for (int i = 0; i < n; i++) {
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
      gw->stats.datagrams++;
      gw->stats.oversized++;
      bad_input(gw, "datagram larger than any real report", gw->slots[i], 0);
      continue;
    }
    handle_mcast(gw, gw->slots[i], msgs[i].msg_len, from[i].sin_addr);
  }
}

static void on_cmd(struct ev_loop *loop, ev_io *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_gw_t *gw = w->data;
  gw->now = timer_now();
  for (int k = 0; k < LUMI_BATCH; k++) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t len = recvfrom(gw->cfd, gw->slots[0], LUMI_SLOT, MSG_DONTWAIT | MSG_TRUNC,
                           (struct sockaddr *)&from, &fl);
    if (len < 0) return;
    if ((size_t)len > LUMI_SLOT) {
      bad_input(gw, "oversized reply", gw->slots[0], 0);
      continue;
    }
    lumi_msg_t *m = &gw->msg;
    int st = lumi_parse(gw->slots[0], (size_t)len, m);
    if (st != LUMI_OK) {
      bad_input(gw, lumi_strerror(st), gw->slots[0], (size_t)len);
      continue;
    }
    log_debug(WHERE, "<- %.*s", (int)len, gw->slots[0]);
    if (m->cmd == LUMI_CMD_IAM) {
      if (lumi_kind_of(m->model) == LUMI_KIND_GATEWAY || !*m->model)
        lumi_gw_found(gw, m, from.sin_addr);
      continue;
    }
    if (gw->have_addr && from.sin_addr.s_addr != gw->gw_addr.s_addr) continue;
    if (gw->self) {
      gw->self->last_seen = timer_now();
      set_online(gw, gw->self, 1);
    }
    lumi_req_reply(gw, m);
  }
}

/* ---- liveness ---- */

static void rejoin(lumi_gw_t *gw, const char *why) {
  struct in_addr group;
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &group);
  /* Leave and join again: after a Wi-Fi roam or a switch restart the kernel
   * may still think it is a member while the network has forgotten it. */
  struct ip_mreq mr = {.imr_multiaddr = group, .imr_interface = gw->iface};
  if (gw->iface.s_addr != htonl(INADDR_ANY))
    setsockopt(gw->mfd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof mr);
  char err[160];
  if (net_mcast_join(gw->mfd, group, gw->iface, err, sizeof err) == 0)
    log_warn(WHERE, "re-joining %s failed: %s", LUMI_MULTICAST_ADDR, err);
  else if (why)
    log_info(WHERE, "re-joined multicast group %s (%s)", LUMI_MULTICAST_ADDR, why);
  gw->stats.rejoins++;
  gw->last_join = timer_now();
}

/* Unicast reads while multicast is lost: the gateway first, then one
 * sub-device per period, round robin, so states keep flowing. */
static void poll_next(lumi_gw_t *gw) {
  if (gw->in_flight || gw->queue) return;
  device_t *d = gw->poll_next;
  registry_t *reg = &gw->eng->devices;
  if (!d) d = gw->self;
  if (!d) return;
  lumi_req_push(gw, lumi_req_new(REQ_READ, d->id));
  gw->stats.polls++;
  /* Next device of this gateway, wrapping around. */
  device_t *n = d->next;
  while (n && n->driver != gw) n = n->next;
  if (!n)
    for (n = reg->head; n && n->driver != gw; n = n->next) {
    }
  gw->poll_next = n;
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  lumi_gw_t *gw = w->data;
  double now = gw->now = timer_now(), hb = gw->cfg.heartbeat;

  if (!gw->sid[0]) {
    /* Still looking: whois every few periods (at most every 5 s). */
    double every = hb < 5 ? hb : 5;
    if (now - gw->last_whois >= every) send_whois(gw);
    return;
  }
  if (now - gw->last_join >= REJOIN_EVERY) rejoin(gw, NULL);
  if (!gw->ready && gw->list_failed_at > 0 &&
      now - gw->list_failed_at >= LUMI_LIST_RETRY) {
    gw->list_failed_at = 0;
    log_info(WHERE, "asking gateway %s for its device list again", gw->sid);
    lumi_req_push(gw, lumi_req_new(REQ_LIST, gw->sid));
  }

  /* Multicast silence: re-join at once, then poll by unicast until it
   * comes back. */
  if (now - gw->last_mcast > 3 * hb) {
    if (!gw->gw_silent) {
      gw->gw_silent = 1;
      log_warn(WHERE,
               "no multicast from gateway %s for %.0f s: re-joining %s and polling it by "
               "unicast (check the interface, and IGMP snooping on the switch or access "
               "point)",
               gw->sid, now - gw->last_mcast, LUMI_MULTICAST_ADDR);
      rejoin(gw, "gateway silent");
      gw->last_poll = 0;
    } else if (now - gw->last_join >= 3 * hb) {
      rejoin(gw, NULL);
    }
    if (now - gw->last_poll >= hb) {
      gw->last_poll = now;
      poll_next(gw);
    }
  }
  /* Offline: no word from the gateway in 3 periods, and, while polling, no
   * answer to a poll and its retry either. */
  double limit = 3 * hb + (gw->gw_silent ? 2 * gw->cfg.timeout + hb : 0);
  if (gw->self && gw->self->online && now - gw->self->last_seen > limit)
    set_online(gw, gw->self, 0);
  for (device_t *d = gw->eng->devices.head; d; d = d->next) {
    if (d->driver != gw || d == gw->self || !d->online || d->timeout <= 0) continue;
    if (d->last_seen > 0 && now - d->last_seen > d->timeout) set_online(gw, d, 0);
  }
  lumi_req_start(gw); /* fails requests waiting too long for a gateway */
}

/* ---- replay ---- */

#define REPLAY_BATCH 256

static void on_replay(struct ev_loop *loop, ev_idle *w, int revents) {
  (void)revents;
  lumi_gw_t *gw = w->data;
  gw->now = timer_now();
  for (int i = 0; i < REPLAY_BATCH; i++) {
    ssize_t n = getline(&gw->replay_line, &gw->replay_cap, gw->replay);
    if (n < 0) {
      ev_idle_stop(loop, w);
      fclose(gw->replay);
      gw->replay = NULL;
      log_info(WHERE, "replay done: %lu datagrams, %lu events", gw->stats.datagrams,
               gw->stats.events);
      bus_event_t ev = {.name = "replay_done", .time = timer_now()};
      bus_dispatch(&gw->eng->bus, &ev);
      return;
    }
    while (n > 0 && (gw->replay_line[n - 1] == '\n' || gw->replay_line[n - 1] == '\r'))
      n--;
    if (n == 0 || gw->replay_line[0] == '#') continue;
    struct in_addr none = {0};
    handle_mcast(gw, gw->replay_line, (size_t)n, none);
  }
}

static int open_replay(lumi_gw_t *gw, const char *path, char *err, size_t errsize) {
  gw->replay = fopen(path, "r");
  if (!gw->replay) {
    snprintf(err, errsize, "cannot open the capture %s: %s", path, strerror(errno));
    return -1;
  }
  /* Duplicates in a capture are part of what it records. */
  gw->cfg.dedupe = 1e-9;
  ev_idle_init(&gw->replay_idle, on_replay);
  gw->replay_idle.data = gw;
  ev_idle_start(gw->eng->loop, &gw->replay_idle);
  return 0;
}

/* ---- lifecycle ---- */

lumi_gw_t *lumi_gw_open(engine_t *eng, const lumi_gw_config_t *cfg, char *err,
                        size_t errsize) {
  lumi_gw_t *gw = mem_calloc(1, sizeof *gw);
  gw->eng = eng;
  gw->cfg = *cfg;
  gw->mfd = gw->cfd = -1;
  if (gw->cfg.heartbeat <= 0) gw->cfg.heartbeat = 10;
  if (gw->cfg.timeout <= 0) gw->cfg.timeout = 3;
  /* Copies of one datagram (two interfaces, a gateway repeating itself)
   * arrive within milliseconds; the same report made anew comes later
   * (motion at most once a minute, two clicks within 0.4 s are a
   * double_click). */
  if (gw->cfg.dedupe <= 0) gw->cfg.dedupe = 0.2;
  if (gw->cfg.recv_buffer <= 0) gw->cfg.recv_buffer = 4 << 20;
  if (cfg->password) {
    if (strlen(cfg->password) != 16) {
      snprintf(err, errsize,
               "password must be the 16 characters shown in the Mi Home "
               "app's LAN mode page, got %zu",
               strlen(cfg->password));
      goto fail;
    }
    gw->password = mem_strdup(cfg->password);
  }
  gw->want_sid = cfg->sid ? mem_strdup(cfg->sid) : NULL;
  if (cfg->nnames) {
    gw->names = mem_calloc(2 * cfg->nnames, sizeof *gw->names);
    for (size_t i = 0; i < 2 * cfg->nnames; i++) gw->names[i] = mem_strdup(cfg->names[i]);
    gw->nnames = cfg->nnames;
  }
  gw->cfg.names = NULL;
  gw->cfg.nnames = 0;
  gw->cfg.password = gw->cfg.sid = NULL;
  if (net_parse_ipv4(cfg->interface, &gw->iface) != 0) {
    snprintf(err, errsize,
             "interface must be an IPv4 address such as 192.168.1.10 "
             "(the address of the interface to use), got '%s'",
             cfg->interface);
    goto fail;
  }
  if (cfg->ip) {
    if (net_parse_ipv4(cfg->ip, &gw->gw_addr) != 0 || gw->gw_addr.s_addr == 0) {
      snprintf(err, errsize, "ip must be the gateway's IPv4 address, got '%s'", cfg->ip);
      goto fail;
    }
    gw->cfg.ip = "set"; /* the caller's string is not kept */
  }
  gw->cfg.interface = NULL;
  if (cfg->replay) {
    gw->cfg.replay = NULL;
    if (open_replay(gw, cfg->replay, err, errsize) != 0) goto fail;
    return gw;
  }

  struct in_addr group;
  inet_pton(AF_INET, LUMI_MULTICAST_ADDR, &group);
  /* Bound to the group address, the listener gets only the group's traffic. */
  gw->mfd = net_udp_open(group, LUMI_PORT, 1, err, errsize);
  if (gw->mfd < 0) goto fail;
  int got = net_set_rcvbuf(gw->mfd, gw->cfg.recv_buffer);
  if (got < gw->cfg.recv_buffer)
    log_debug(WHERE, "receive buffer %d bytes (asked %d; raise net.core.rmem_max)", got,
              gw->cfg.recv_buffer);
  if (net_mcast_join(gw->mfd, group, gw->iface, err, errsize) == 0) goto fail;
  gw->last_join = timer_now();
  gw->cfd = net_udp_open(gw->iface, 0, 0, err, errsize);
  if (gw->cfd < 0) goto fail;

  ev_io_init(&gw->mio, on_mcast, gw->mfd, EV_READ);
  gw->mio.data = gw;
  ev_io_start(eng->loop, &gw->mio);
  ev_io_init(&gw->cio, on_cmd, gw->cfd, EV_READ);
  gw->cio.data = gw;
  ev_io_start(eng->loop, &gw->cio);
  double period = gw->cfg.heartbeat / 4;
  if (period > 1) period = 1;
  if (period < 0.02) period = 0.02;
  ev_timer_init(&gw->tick, on_tick, period, period);
  gw->tick.data = gw;
  ev_timer_start(eng->loop, &gw->tick);
  send_whois(gw);
  return gw;

fail:
  lumi_gw_close(gw);
  return NULL;
}

void lumi_gw_close(lumi_gw_t *gw) {
  if (!gw) return;
  lumi_req_fail_all(gw, "gateway closed");
  if (gw->eng && gw->eng->loop) {
    ev_io_stop(gw->eng->loop, &gw->mio);
    ev_io_stop(gw->eng->loop, &gw->cio);
    ev_timer_stop(gw->eng->loop, &gw->tick);
    ev_timer_stop(gw->eng->loop, &gw->req_timer);
    ev_idle_stop(gw->eng->loop, &gw->replay_idle);
  }
  if (gw->replay) fclose(gw->replay);
  free(gw->replay_line);
  if (gw->mfd >= 0) close(gw->mfd);
  if (gw->cfd >= 0) close(gw->cfd);
  device_t *d = gw->eng->devices.head;
  while (d) {
    device_t *next = d->next;
    if (d->driver == gw) registry_remove(&gw->eng->devices, d);
    d = next;
  }
  free(gw->password);
  free(gw->want_sid);
  for (size_t i = 0; i < 2 * gw->nnames; i++) free(gw->names[i]);
  free(gw->names);
  free(gw);
}

device_t *lumi_gw_device(lumi_gw_t *gw) {
  return gw->self;
}

int lumi_gw_ready(const lumi_gw_t *gw) {
  return gw->ready;
}

const lumi_gw_stats_t *lumi_gw_stats(const lumi_gw_t *gw) {
  return &gw->stats;
}

int lumi_gw_address(const lumi_gw_t *gw, char ip[16], int *port, int *proto) {
  if (!gw->sid[0] || !gw->have_addr) return -1;
  net_ipv4_str(gw->gw_addr, ip);
  *port = gw->port;
  *proto = gw->proto ? gw->proto : 1;
  return 0;
}

void lumi_gw_on_ready(lumi_gw_t *gw, lumi_gw_ready_fn fn, void *arg) {
  gw->on_ready = fn;
  gw->on_ready_arg = arg;
}
