/* `lumo lumi discover`: whois to the Lumi multicast group on a socket of its
 * own, through the interface given or every multicast-capable one, and a
 * list of the gateways whose iam answers arrive before the timeout. No
 * driver: a gateway that answers needs no password or device list. */
#include "cli/cli.h"
#include "cli/lumi_cli.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/net.h"
#include "proto/lumi.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

int lumi_cli_discover(opts_t *o) {
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
    lumi_cli_bind_failed(o, err);
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
    lumi_cli_not_found(o);
    status = EXIT_FAIL;
  } else {
    lumi_print_gateways(stdout, d.found, o->json);
  }
  cJSON_Delete(d.found);
  free(d.msg);
  return status;
}
