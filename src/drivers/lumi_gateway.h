/* The Lumi (Xiaomi/Aqara) gateway driver: finds a gateway, loads its device
 * list, keeps the registry current from multicast reports, and sends reads
 * and keyed writes. Runs on the engine's loop; never touches Lua. */
#ifndef LUMO_DRIVERS_LUMI_GATEWAY_H
#define LUMO_DRIVERS_LUMI_GATEWAY_H

#include "core/engine.h"

#include <stddef.h>

typedef struct lumi_gw lumi_gw_t;

typedef struct {
  const char *password;  /* the gateway's LAN-mode key (16 chars); NULL: no writes */
  const char *ip;        /* the gateway's address; NULL: find it with whois */
  const char *interface; /* address of the interface to use; NULL: all */
  const char *sid;       /* take only the gateway with this sid; NULL: the first */
  double heartbeat;      /* the gateway's heartbeat period (s); default 10 */
  double device_timeout; /* sub-device silence before offline (s); 0: by kind */
  double timeout;        /* wait for a reply (s) before the one retry; default 3 */
  double dedupe;   /* window (s) in which a repeated datagram is dropped; default 0.2 */
  int recv_buffer; /* SO_RCVBUF bytes; default 4 MiB */
  const char *replay;       /* a capture to read instead of the network (see below) */
  const char *const *names; /* pairs sid, name, sid, name ...: names for devices */
  size_t nnames;            /* number of pairs */
} lumi_gw_config_t;

/* Counters, for logs, stats and the benchmark. */
typedef struct {
  unsigned long datagrams, reports, heartbeats, duplicates, bad, oversized, foreign;
  unsigned long events, polls, rejoins;
} lumi_gw_stats_t;

/* Opens the sockets and starts looking for the gateway. NULL with a message
 * in err when a socket cannot be opened or the config is wrong. */
lumi_gw_t *lumi_gw_open(engine_t *eng, const lumi_gw_config_t *cfg, char *err,
                        size_t errsize);
/* Stops everything; its devices leave the registry; pending commands fail
 * with "gateway closed". */
void lumi_gw_close(lumi_gw_t *gw);

/* The gateway's own device (NULL until found). */
device_t *lumi_gw_device(lumi_gw_t *gw);
/* Whether discovery and the device list are complete. */
int lumi_gw_ready(const lumi_gw_t *gw);
const lumi_gw_stats_t *lumi_gw_stats(const lumi_gw_t *gw);
/* The gateway's address (dotted quad), command port and protocol version
 * (1 or 2); -1 while it is not found yet. */
int lumi_gw_address(const lumi_gw_t *gw, char ip[16], int *port, int *proto);

/* Writes attributes (normalised names) to one of the gateway's devices,
 * through this gateway: keyed, acknowledged, retried. -1 when the gateway
 * has no password. `done` runs later, from the loop. */
int lumi_gw_write(lumi_gw_t *gw, device_t *dev, const value_t *values, size_t n,
                  device_done_fn done, void *arg);

/* Replay: with cfg.replay set, no socket is opened; the file's lines (one
 * datagram each, as captured; empty lines and lines starting with '#'
 * skipped) go through the same path as multicast datagrams, as fast as the
 * loop takes them, in batches. The first gateway heartbeat introduces the
 * gateway. At the end the event "replay_done" is dispatched (no device). */

/* Feeds one datagram as if it had arrived on the multicast socket from
 * `from_ip` (replaying captures; the benchmark). */
void lumi_gw_feed(lumi_gw_t *gw, const char *buf, size_t len, const char *from_ip);

/* Called once the gateway is found and its device list loaded; then the
 * event "ready" is dispatched for the gateway's device too. A device list
 * that does not come is asked for again every LUMI_LIST_RETRY seconds;
 * devices that report meanwhile join the registry all the same. */
#define LUMI_LIST_RETRY 30.0
typedef void (*lumi_gw_ready_fn)(lumi_gw_t *gw, void *arg);
void lumi_gw_on_ready(lumi_gw_t *gw, lumi_gw_ready_fn fn, void *arg);

#endif
