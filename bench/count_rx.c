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
#include "common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "usage: count_rx [--latency] [--out FILE] [--ready FILE] "
                            "[--quiet S] [--rcvbuf BYTES]\n"
                            "                [--max-seconds S] [--interface ADDR]\n";

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

/* Per batch: the count is rx_receive's; with --latency, each datagram's
 * receive time - send time. */
typedef struct {
  int latency;
  double *lat;
  size_t nlat, lat_cap;
} count_t;

static void on_batch(void *arg, rx_batch_t *b, int n) {
  count_t *c = arg;
  if (!c->latency) return;
  uint64_t now_ns = bench_realtime_ns();
  for (int i = 0; i < n; i++) {
    uint64_t ts;
    if (find_ts(b->slots[i], b->msgs[i].msg_len, &ts) != 0) continue;
    if (c->nlat == c->lat_cap)
      c->lat = realloc(c->lat, (c->lat_cap *= 2) * sizeof *c->lat);
    c->lat[c->nlat++] = ((double)now_ns - (double)ts) * 1e-9;
  }
}

int main(int argc, char **argv) {
  rx_opts_t o;
  int r = rx_parse_options(argc, argv, usage, 0, &o);
  if (r >= 0) return r;
  int fd = rx_open_socket("count_rx", o.iface, o.rcvbuf);
  if (fd < 0) return 1;

  static rx_batch_t batch;
  rx_batch_init(&batch);
  count_t c = {.latency = o.latency, .lat_cap = o.latency ? 1 << 16 : 0};
  c.lat = o.latency ? malloc(c.lat_cap * sizeof *c.lat) : NULL;

  long rss_idle = rx_ready(o.ready);
  rx_span_t span = {0};
  rx_receive(fd, &batch, &o, on_batch, &c, &span);

  FILE *f = o.out ? fopen(o.out, "w") : stdout;
  if (!f) return 1;
  fprintf(f, "receiver=count\ndatagrams=%lu\nreports=0\n", span.datagrams);
  rx_write_span(f, &span, rss_idle);
  if (c.nlat) {
    qsort(c.lat, c.nlat, sizeof *c.lat, cmp_double);
    /* Whole microseconds, as the Lua handlers' histograms. */
    fprintf(f, "lat_n=%zu\np50_us=%lld\np99_us=%lld\nmax_us=%lld\n", c.nlat,
            whole_us(c.lat[c.nlat / 2]), whole_us(c.lat[(size_t)((double)c.nlat * 0.99)]),
            whole_us(c.lat[c.nlat - 1]));
  }
  if (f != stdout) fclose(f);
  free(c.lat);
  close(fd);
  return 0;
}
