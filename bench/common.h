/* What the bench programs (loadgen, count_rx, naive_rx) share: clocks,
 * /proc readings, the multicast group, and for the two receivers their
 * options, their socket (opened as lumo's driver opens its own), the
 * recvmmsg batch, the wait for the feed to go quiet and the lines of the
 * key=value results they both write. Built into each with plain cc by
 * scripts/bench. */
#ifndef LUMO_BENCH_COMMON_H
#define LUMO_BENCH_COMMON_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any include: the receivers use recvmmsg"
#endif

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define BENCH_GROUP "224.0.0.50" /* the Lumi multicast group and port */
#define BENCH_PORT 9898

double bench_realtime(void);             /* CLOCK_REALTIME in seconds */
uint64_t bench_realtime_ns(void);        /* CLOCK_REALTIME in ns */
long long bench_cpu_ns(void);            /* this process's CPU time in ns */
long bench_status_kb(const char *field); /* VmRSS, VmHWM...: -1 if unknown */

/* ---- the receivers ---- */

#define RX_BATCH 64 /* lumo's recvmmsg batch */
#define RX_SLOT 4096

typedef struct {
  int latency, rcvbuf;
  double quiet, max_seconds;
  const char *out, *ready, *iface;
  const char *file; /* naive_rx only: a capture to read instead */
} rx_opts_t;

/* Parses the options count_rx and naive_rx take (--file only if
 * `with_file`) into o, which starts at the defaults. Returns -1 to go on,
 * or the exit status after printing `usage` (--help: 0, bad usage: 2). */
int rx_parse_options(int argc, char **argv, const char *usage, int with_file,
                     rx_opts_t *o);

/* A non-blocking socket bound to the group and joined on `iface`, with the
 * receive buffer lumo asks for; -1 after a message starting "prog: ". */
int rx_open_socket(const char *prog, const char *iface, int rcvbuf);

/* One recvmmsg batch: RX_BATCH slots of RX_SLOT bytes. Large: make it static. */
typedef struct {
  char slots[RX_BATCH][RX_SLOT];
  struct mmsghdr msgs[RX_BATCH];
  struct iovec iov[RX_BATCH];
} rx_batch_t;
void rx_batch_init(rx_batch_t *b);

/* Samples the idle RSS, then creates the --ready file (scripts/bench waits
 * for it before it starts the generator). Returns the RSS in KB. */
long rx_ready(const char *ready);

/* The receive span: datagrams taken in, the times of the first and last
 * batch, and the CPU used from the first datagram on. */
typedef struct {
  unsigned long datagrams;
  double first, last;
  long long cpu0, cpu_ns;
} rx_span_t;

/* Receives batches on fd, calling on_batch(arg, b, n) for each, until the
 * feed has been quiet for o->quiet s once a datagram came, or
 * o->max_seconds have passed. `last` is taken after on_batch returns. */
void rx_receive(int fd, rx_batch_t *b, const rx_opts_t *o,
                void (*on_batch)(void *arg, rx_batch_t *b, int n), void *arg,
                rx_span_t *span);

/* The results both receivers write after their own first lines: first,
 * last, cpu_ns and the RSS figures. */
void rx_write_span(FILE *f, const rx_span_t *span, long rss_idle);

#endif
