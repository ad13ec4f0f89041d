/* The benchmark's load generator: Lumi gateway multicast traffic (v1 reports
 * and heartbeats of motion, magnet, switch and sensor_ht sub-devices, plus
 * the gateway's own heartbeat once a second) sent with sendmmsg, flat out or
 * at a fixed rate; or, with --capture, the same traffic written as a replay
 * file (one datagram a line) with fixed timestamps.
 *
 * Every datagram carries its send time as an extra attribute inside the data
 * string, "ts":"<ns since the epoch>" (CLOCK_REALTIME), so a receiver can
 * measure datagram -> callback latency; lumo passes unknown attributes
 * through to ev.data. The ts of datagrams sent together differ by 1 ns, so
 * no two datagrams are byte-identical (lumo drops repeats as duplicates).
 *
 * Only for the private network namespace scripts/bench makes: it sends to
 * 224.0.0.50:9898 through IP_MULTICAST_IF 127.0.0.1, from 127.0.0.2. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024
#define DGRAM_MAX 512
#define GW_SID "7811dcb7a982"
#define GW_TOKEN "1234567890abcdef"

static const char usage[] =
    "usage: loadgen [options]\n"
    "Sends Lumi gateway multicast traffic (or writes it to a capture file).\n"
    "  --count N          sub-device datagrams to send (default 100000)\n"
    "  --rate R           datagrams per second; 0 = flat out (default 0)\n"
    "  --sids N           distinct sub-devices (default 1000)\n"
    "  --heartbeats F     share of sub-device heartbeats among them (default 0.15)\n"
    "  --unique           sids in turn (0, 1, 2, ...) instead of at random\n"
    "  --seed S           random seed (default 1)\n"
    "  --batch B          datagrams per sendmmsg when flat out (default 64)\n"
    "  --lead SECONDS     pause after the first gateway heartbeat (default 0.05)\n"
    "  --from ADDR        source address (default 127.0.0.2)\n"
    "  --interface ADDR   IP_MULTICAST_IF (default 127.0.0.1)\n"
    "  --capture FILE     write datagrams to FILE, one a line, instead of sending;\n"
    "                     a gateway heartbeat first and every 10000 datagrams, and\n"
    "                     timestamps as if sent at 10000/s from a fixed instant\n"
    "Prints: sent= reports= heartbeats= gateway_heartbeats= seconds= rate=\n";

/* xorshift64*: deterministic for a seed, and fast enough not to matter. */
static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}
static unsigned rnd_below(unsigned n) {
  return (unsigned)((rnd() >> 32) % n);
}

typedef enum { K_MOTION, K_MAGNET, K_SWITCH, K_HT } kind_t;
static const char *const model_names[] = {"motion", "magnet", "switch", "sensor_ht"};

/* Sub-device i: its sid (14 hex chars, as Zigbee sub-devices have; the
 * multiplier is odd, so distinct for every i), kind and short id. A home's
 * mix: 30% motion, 30% door/window, 15% buttons, 25% thermometers. */
static void sub_device(unsigned i, char sid[16], kind_t *kind, unsigned *short_id) {
  snprintf(sid, 16, "158d00%08x", (uint32_t)(i * 2654435761u));
  unsigned r = i % 20;
  *kind = r < 6 ? K_MOTION : r < 12 ? K_MAGNET : r < 15 ? K_SWITCH : K_HT;
  *short_id = 1000 + (i * 7919u) % 60000;
}

/* The attributes of one report or heartbeat, as JSON members (escaped for
 * the data string), without braces. */
static void attributes(kind_t kind, int heartbeat, char *out, size_t cap) {
  static const char *const no_motion[] = {"120", "180", "300", "600", "1200"};
  static const char *const clicks[] = {"click",
                                       "click",
                                       "click",
                                       "click",
                                       "click",
                                       "click",
                                       "double_click",
                                       "double_click",
                                       "long_click_press",
                                       "long_click_release"};
  int t = 1800 + (int)rnd_below(900), h = 3000 + (int)rnd_below(5000);
  int volt = 2900 + (int)rnd_below(300);
  switch (kind) {
  case K_MOTION:
    if (heartbeat)
      snprintf(out, cap, "\\\"voltage\\\":%d", volt);
    else if (rnd_below(10) < 7)
      snprintf(out, cap, "\\\"status\\\":\\\"motion\\\"");
    else
      snprintf(out, cap, "\\\"no_motion\\\":\\\"%s\\\"", no_motion[rnd_below(5)]);
    break;
  case K_MAGNET:
    if (heartbeat)
      snprintf(out, cap, "\\\"voltage\\\":%d,\\\"status\\\":\\\"close\\\"", volt);
    else
      snprintf(out, cap, "\\\"status\\\":\\\"%s\\\"", rnd_below(2) ? "open" : "close");
    break;
  case K_SWITCH:
    if (heartbeat)
      snprintf(out, cap, "\\\"voltage\\\":%d", volt);
    else
      snprintf(out, cap, "\\\"status\\\":\\\"%s\\\"", clicks[rnd_below(10)]);
    break;
  case K_HT:
    if (heartbeat) {
      snprintf(out, cap,
               "\\\"voltage\\\":%d,\\\"temperature\\\":\\\"%d\\\",\\\"humidity\\\":"
               "\\\"%d\\\"",
               volt, t, h);
    } else {
      unsigned r = rnd_below(20);
      if (r < 9)
        snprintf(out, cap, "\\\"temperature\\\":\\\"%d\\\"", t);
      else if (r < 18)
        snprintf(out, cap, "\\\"humidity\\\":\\\"%d\\\"", h);
      else
        snprintf(out, cap, "\\\"temperature\\\":\\\"%d\\\",\\\"humidity\\\":\\\"%d\\\"",
                 t, h);
    }
    break;
  }
}

typedef struct {
  unsigned nsids;
  double hb_share;
  int unique;
  unsigned long next; /* datagrams made so far */
  unsigned long reports, heartbeats;
} gen_t;

/* One sub-device datagram with send time ts_ns; returns its length. */
static int make_datagram(gen_t *g, uint64_t ts_ns, char *out, size_t cap) {
  unsigned i = g->unique ? (unsigned)(g->next % g->nsids) : rnd_below(g->nsids);
  g->next++;
  char sid[16], attrs[256];
  kind_t kind;
  unsigned short_id;
  sub_device(i, sid, &kind, &short_id);
  int hb = g->hb_share > 0 && (double)(rnd() >> 11) / 9007199254740992.0 < g->hb_share;
  attributes(kind, hb, attrs, sizeof attrs);
  if (hb)
    g->heartbeats++;
  else
    g->reports++;
  return snprintf(out, cap,
                  "{\"cmd\":\"%s\",\"model\":\"%s\",\"sid\":\"%s\",\"short_id\":%u,"
                  "\"data\":\"{%s,\\\"ts\\\":\\\"%019llu\\\"}\"}",
                  hb ? "heartbeat" : "report", model_names[kind], sid, short_id, attrs,
                  (unsigned long long)ts_ns);
}

static int gateway_heartbeat(char *out, size_t cap) {
  return snprintf(out, cap,
                  "{\"cmd\":\"heartbeat\",\"model\":\"gateway\",\"sid\":\"" GW_SID
                  "\",\"short_id\":0,\"token\":\"" GW_TOKEN
                  "\",\"data\":\"{\\\"ip\\\":\\\"127.0.0.2\\\"}\"}");
}

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_until(double t) {
  struct timespec ts = {.tv_sec = (time_t)t,
                        .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static int write_capture(const char *path, gen_t *g, unsigned long count) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "loadgen: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  char buf[DGRAM_MAX];
  uint64_t ts =
      1700000000000000000ull; /* a fixed instant: the file is the same every run */
  unsigned long gw = 0;
  for (unsigned long i = 0; i < count; i++) {
    if (i % 10000 == 0) {
      gateway_heartbeat(buf, sizeof buf);
      fprintf(f, "%s\n", buf);
      gw++;
    }
    make_datagram(g, ts + i * 100000ull, buf, sizeof buf);
    fprintf(f, "%s\n", buf);
  }
  if (fclose(f) != 0) {
    fprintf(stderr, "loadgen: writing %s failed: %s\n", path, strerror(errno));
    return 1;
  }
  printf("sent=%lu reports=%lu heartbeats=%lu gateway_heartbeats=%lu seconds=0 rate=0\n",
         count + gw, g->reports, g->heartbeats, gw);
  return 0;
}

static int open_sender(const char *from, const char *iface) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in src = {.sin_family = AF_INET};
  struct in_addr ifa;
  if (inet_pton(AF_INET, from, &src.sin_addr) != 1 ||
      inet_pton(AF_INET, iface, &ifa) != 1) {
    fprintf(stderr, "loadgen: --from and --interface must be IPv4 addresses\n");
    return -1;
  }
  if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
    fprintf(stderr, "loadgen: cannot bind %s: %s (run inside scripts/bench)\n", from,
            strerror(errno));
    return -1;
  }
  /* Never let the routing table pick the interface for multicast. */
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) != 0) {
    fprintf(stderr, "loadgen: IP_MULTICAST_IF %s: %s\n", iface, strerror(errno));
    return -1;
  }
  unsigned char ttl = 1, loop = 1;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return fd;
}

/* Sends n prepared datagrams; retries the rest after a partial send. */
static int send_all(int fd, struct mmsghdr *msgs, int n) {
  int done = 0;
  while (done < n) {
    int k = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
    if (k < 0) {
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
      fprintf(stderr, "loadgen: sendmmsg: %s\n", strerror(errno));
      return -1;
    }
    done += k;
  }
  return 0;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                       {"rate", required_argument, NULL, 'r'},
                                       {"sids", required_argument, NULL, 's'},
                                       {"heartbeats", required_argument, NULL, 'H'},
                                       {"unique", no_argument, NULL, 'u'},
                                       {"seed", required_argument, NULL, 'S'},
                                       {"batch", required_argument, NULL, 'b'},
                                       {"lead", required_argument, NULL, 'l'},
                                       {"from", required_argument, NULL, 'f'},
                                       {"interface", required_argument, NULL, 'i'},
                                       {"capture", required_argument, NULL, 'c'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  unsigned long count = 100000;
  double rate = 0, lead = 0.05;
  int batch = 64;
  const char *from = "127.0.0.2", *iface = "127.0.0.1", *capture = NULL;
  gen_t g = {.nsids = 1000, .hb_share = 0.15};
  rng_state = 1;
  int opt;
  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case 'n':
      count = strtoul(optarg, NULL, 10);
      break;
    case 'r':
      rate = atof(optarg);
      break;
    case 's':
      g.nsids = (unsigned)strtoul(optarg, NULL, 10);
      break;
    case 'H':
      g.hb_share = atof(optarg);
      break;
    case 'u':
      g.unique = 1;
      break;
    case 'S':
      rng_state = strtoull(optarg, NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
      break;
    case 'b':
      batch = atoi(optarg);
      break;
    case 'l':
      lead = atof(optarg);
      break;
    case 'f':
      from = optarg;
      break;
    case 'i':
      iface = optarg;
      break;
    case 'c':
      capture = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }
  if (g.nsids == 0 || batch < 1 || batch > MAX_BATCH || rate < 0) {
    fputs(usage, stderr);
    return 2;
  }
  if (capture) return write_capture(capture, &g, count);

  /* Sleeps at fixed rates should end when asked, not up to 50 us later. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  int fd = open_sender(from, iface);
  if (fd < 0) return 1;
  struct sockaddr_in group = {.sin_family = AF_INET, .sin_port = htons(BENCH_PORT)};
  inet_pton(AF_INET, BENCH_GROUP, &group.sin_addr);

  static char bufs[MAX_BATCH][DGRAM_MAX];
  static struct iovec iov[MAX_BATCH];
  static struct mmsghdr msgs[MAX_BATCH];
  for (int i = 0; i < MAX_BATCH; i++) {
    iov[i].iov_base = bufs[i];
    msgs[i].msg_hdr = (struct msghdr){.msg_name = &group,
                                      .msg_namelen = sizeof group,
                                      .msg_iov = &iov[i],
                                      .msg_iovlen = 1};
  }

  /* The gateway's heartbeat first: it introduces the gateway (lumo accepts
   * multicast only from the address of the first gateway heartbeat). */
  unsigned long gw = 0;
  iov[0].iov_len = (size_t)gateway_heartbeat(bufs[0], DGRAM_MAX);
  if (send_all(fd, msgs, 1) != 0) return 1;
  gw++;
  if (lead > 0) sleep_until(mono() + lead);

  double start = mono(), next_hb = start + 1.0;
  unsigned long sent = 0;
  while (sent < count) {
    double now = mono();
    int n;
    if (rate > 0) {
      /* Everything due by now, in one call: at 10k/s that is one or two. */
      unsigned long due = (unsigned long)((now - start) * rate) + 1;
      if (due > count) due = count;
      if (due <= sent) {
        sleep_until(start + (double)sent / rate);
        continue;
      }
      n = due - sent > MAX_BATCH ? MAX_BATCH : (int)(due - sent);
    } else {
      n = count - sent > (unsigned long)batch ? batch : (int)(count - sent);
    }
    int k = 0, hb = 0;
    if (now >= next_hb) {
      iov[k].iov_len = (size_t)gateway_heartbeat(bufs[k], DGRAM_MAX);
      k = hb = 1;
      gw++;
      next_hb += 1.0;
    }
    uint64_t ts = bench_realtime_ns();
    for (int i = 0; i < n && k < MAX_BATCH; i++, k++)
      iov[k].iov_len = (size_t)make_datagram(&g, ts + (uint64_t)i, bufs[k], DGRAM_MAX);
    if (send_all(fd, msgs, k) != 0) return 1;
    sent += (unsigned long)(k - hb);
  }
  double secs = mono() - start;
  printf("sent=%lu reports=%lu heartbeats=%lu gateway_heartbeats=%lu seconds=%.6f "
         "rate=%.0f\n",
         sent + gw, g.reports, g.heartbeats, gw, secs,
         secs > 0 ? (double)sent / secs : 0);
  close(fd);
  return 0;
}
