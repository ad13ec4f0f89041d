/* The benchmark's count-only receiver: joins 224.0.0.50:9898 as lumo does,
 * reads with recvmmsg in batches of 64 (lumo's batch) and only counts. It
 * is the ceiling for any receiver on this machine: what the kernel can hand
 * to user space. With --latency it also finds each datagram's "ts" and
 * records receive time - send time (no parsing beyond that).
 *
 * It stops after --quiet seconds without a datagram (once one arrived) and
 * writes key=value lines: datagrams, first/last arrival (Unix seconds), the
 * CPU it used from the first datagram on (ns), RSS idle and at the end, and
 * latency percentiles (whole microseconds). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SLOT 4096

static const char usage[] = "usage: count_rx [--latency] [--out FILE] [--ready FILE] "
                            "[--quiet S] [--rcvbuf BYTES]\n"
                            "                [--max-seconds S] [--interface ADDR]\n";

static double realtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process in ns: the first field of /proc/self/schedstat
 * (what lumo's rules read too), else the process CPU clock. */
static long long cpu_ns(void) {
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

static long status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, field, n) == 0 && line[n] == ':') v = atol(line + n + 1);
  if (f) fclose(f);
  return v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static long long whole_us(double seconds) {
  return seconds <= 0 ? 0 : (long long)(seconds * 1e6);
}

/* The send time a datagram carries: "ts":"<ns>" inside its data string. */
static int find_ts(const char *buf, size_t len, uint64_t *ts) {
  static const char key[] = "ts\\\":\\\"";
  const char *p = memmem(buf, len, key, sizeof key - 1);
  if (!p) return -1;
  p += sizeof key - 1;
  uint64_t v = 0;
  int digits = 0;
  while (p < buf + len && *p >= '0' && *p <= '9')
    v = v * 10 + (uint64_t)(*p++ - '0'), digits++;
  if (!digits) return -1;
  *ts = v;
  return 0;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"latency", no_argument, NULL, 'L'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"ready", required_argument, NULL, 'r'},
                                       {"quiet", required_argument, NULL, 'q'},
                                       {"rcvbuf", required_argument, NULL, 'b'},
                                       {"max-seconds", required_argument, NULL, 'm'},
                                       {"interface", required_argument, NULL, 'i'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int latency = 0, rcvbuf = 4 << 20;
  double quiet = 0.5, max_seconds = 120;
  const char *out = NULL, *ready = NULL, *iface = "127.0.0.1";
  int opt;
  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case 'L':
      latency = 1;
      break;
    case 'o':
      out = optarg;
      break;
    case 'r':
      ready = optarg;
      break;
    case 'q':
      quiet = atof(optarg);
      break;
    case 'b':
      rcvbuf = atoi(optarg);
      break;
    case 'm':
      max_seconds = atof(optarg);
      break;
    case 'i':
      iface = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }

  /* As lumo's driver: bound to the group address, SO_REUSEADDR, joined on
   * the interface, the same receive buffer (4 MiB by default). */
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9898)};
  inet_pton(AF_INET, "224.0.0.50", &sa.sin_addr);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    fprintf(stderr, "count_rx: bind 224.0.0.50:9898: %s\n", strerror(errno));
    return 1;
  }
  struct ip_mreq mr = {.imr_multiaddr = sa.sin_addr};
  inet_pton(AF_INET, iface, &mr.imr_interface);
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
    fprintf(stderr, "count_rx: joining 224.0.0.50 on %s: %s\n", iface, strerror(errno));
    return 1;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

  static char slots[BATCH][SLOT];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i] = (struct iovec){.iov_base = slots[i], .iov_len = SLOT};
    msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
  }
  size_t lat_cap = latency ? 1 << 16 : 0, nlat = 0;
  double *lat = latency ? malloc(lat_cap * sizeof *lat) : NULL;

  long rss_idle = status_kb("VmRSS");
  if (ready) {
    FILE *f = fopen(ready, "w");
    if (f) fclose(f);
  }
  unsigned long count = 0;
  double first = 0, last = 0, started = realtime();
  long long cpu0 = 0;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, 20);
    for (;;) {
      int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0) break;
      double now = realtime();
      if (count == 0) {
        first = now;
        cpu0 = cpu_ns();
      }
      last = now;
      count += (unsigned long)n;
      if (latency) {
        uint64_t now_ns = realtime_ns();
        for (int i = 0; i < n; i++) {
          uint64_t ts;
          if (find_ts(slots[i], msgs[i].msg_len, &ts) != 0) continue;
          if (nlat == lat_cap) lat = realloc(lat, (lat_cap *= 2) * sizeof *lat);
          lat[nlat++] = ((double)now_ns - (double)ts) * 1e-9;
        }
      }
    }
    double now = realtime();
    if (count > 0 && now - last >= quiet) break;
    if (now - started > max_seconds) break;
  }
  long long cpu = count ? cpu_ns() - cpu0 : 0;

  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) return 1;
  fprintf(f, "receiver=count\ndatagrams=%lu\nreports=0\nfirst=%.6f\nlast=%.6f\n", count,
          first, last);
  fprintf(f, "cpu_ns=%lld\nrss_idle_kb=%ld\nrss_end_kb=%ld\nhwm_kb=%ld\n", cpu, rss_idle,
          status_kb("VmRSS"), status_kb("VmHWM"));
  if (nlat) {
    qsort(lat, nlat, sizeof *lat, cmp_double);
    /* Whole microseconds, as the Lua handlers' histograms. */
    fprintf(f, "lat_n=%zu\np50_us=%lld\np99_us=%lld\nmax_us=%lld\n", nlat,
            whole_us(lat[nlat / 2]), whole_us(lat[(size_t)((double)nlat * 0.99)]),
            whole_us(lat[nlat - 1]));
  }
  if (f != stdout) fclose(f);
  free(lat);
  close(fd);
  return 0;
}
