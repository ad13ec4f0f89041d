/* What the bench programs share (see common.h): clocks and /proc readings,
 * and the receivers' options, socket, receive loop and results. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_realtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t bench_realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The first field of /proc/self/schedstat (what lumo's rules read too),
 * else the process CPU clock. */
long long bench_cpu_ns(void) {
  FILE *f = fopen("/proc/self/schedstat", "r");
  long long v = -1;
  if (f) {
    if (fscanf(f, "%lld", &v) != 1) v = -1;
    fclose(f);
  }
  if (v < 0) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    v = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
  }
  return v;
}

long bench_status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, field, n) == 0 && line[n] == ':') v = atol(line + n + 1);
  if (f) fclose(f);
  return v;
}

int rx_parse_options(int argc, char **argv, const char *usage, int with_file,
                     rx_opts_t *o) {
  struct option opts[] = {{"latency", no_argument, NULL, 'L'},
                          {"out", required_argument, NULL, 'o'},
                          {"ready", required_argument, NULL, 'r'},
                          {"quiet", required_argument, NULL, 'q'},
                          {"rcvbuf", required_argument, NULL, 'b'},
                          {"max-seconds", required_argument, NULL, 'm'},
                          {"interface", required_argument, NULL, 'i'},
                          {"help", no_argument, NULL, 'h'},
                          {"file", required_argument, NULL, 'f'},
                          {NULL, 0, NULL, 0}};
  if (!with_file) opts[8] = (struct option){NULL, 0, NULL, 0};
  *o = (rx_opts_t){
      .rcvbuf = 4 << 20, .quiet = 0.5, .max_seconds = 120, .iface = "127.0.0.1"};
  int opt;
  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case 'L':
      o->latency = 1;
      break;
    case 'o':
      o->out = optarg;
      break;
    case 'r':
      o->ready = optarg;
      break;
    case 'q':
      o->quiet = atof(optarg);
      break;
    case 'b':
      o->rcvbuf = atoi(optarg);
      break;
    case 'm':
      o->max_seconds = atof(optarg);
      break;
    case 'i':
      o->iface = optarg;
      break;
    case 'f':
      o->file = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }
  return -1;
}

/* As lumo's driver: bound to the group address, SO_REUSEADDR, joined on
 * the interface, the same receive buffer (4 MiB by default). */
int rx_open_socket(const char *prog, const char *iface, int rcvbuf) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(BENCH_PORT)};
  inet_pton(AF_INET, BENCH_GROUP, &sa.sin_addr);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    fprintf(stderr, "%s: bind " BENCH_GROUP ":%d: %s\n", prog, BENCH_PORT,
            strerror(errno));
    return -1;
  }
  struct ip_mreq mr = {.imr_multiaddr = sa.sin_addr};
  inet_pton(AF_INET, iface, &mr.imr_interface);
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
    fprintf(stderr, "%s: joining " BENCH_GROUP " on %s: %s\n", prog, iface,
            strerror(errno));
    return -1;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  return fd;
}

void rx_batch_init(rx_batch_t *b) {
  for (int i = 0; i < RX_BATCH; i++) {
    b->iov[i] = (struct iovec){.iov_base = b->slots[i], .iov_len = RX_SLOT};
    b->msgs[i].msg_hdr = (struct msghdr){.msg_iov = &b->iov[i], .msg_iovlen = 1};
  }
}

long rx_ready(const char *ready) {
  long rss_idle = bench_status_kb("VmRSS");
  if (ready) {
    FILE *f = fopen(ready, "w");
    if (f) fclose(f);
  }
  return rss_idle;
}

void rx_receive(int fd, rx_batch_t *b, const rx_opts_t *o,
                void (*on_batch)(void *arg, rx_batch_t *b, int n), void *arg,
                rx_span_t *span) {
  double started = bench_realtime();
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, 20);
    for (;;) {
      int n = recvmmsg(fd, b->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0) break;
      if (span->datagrams == 0) {
        span->first = bench_realtime();
        span->cpu0 = bench_cpu_ns();
      }
      span->datagrams += (unsigned long)n;
      on_batch(arg, b, n);
      span->last = bench_realtime();
    }
    double now = bench_realtime();
    if (span->datagrams > 0 && now - span->last >= o->quiet) break;
    if (now - started > o->max_seconds) break;
  }
  span->cpu_ns = span->datagrams ? bench_cpu_ns() - span->cpu0 : 0;
}

void rx_write_span(FILE *f, const rx_span_t *span, long rss_idle) {
  fprintf(f, "first=%.6f\nlast=%.6f\n", span->first, span->last);
  fprintf(f, "cpu_ns=%lld\nrss_idle_kb=%ld\nrss_end_kb=%ld\nhwm_kb=%ld\n", span->cpu_ns,
          rss_idle, bench_status_kb("VmRSS"), bench_status_kb("VmHWM"));
}
