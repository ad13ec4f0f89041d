/* Internals of the Lumi driver shared by its files: the instance, and the
 * request queue (lumi_requests.c). */
#ifndef LUMO_DRIVERS_LUMI_INTERNAL_H
#define LUMO_DRIVERS_LUMI_INTERNAL_H

#include "drivers/lumi_gateway.h"
#include "proto/lumi.h"
#include "proto/lumi_vocab.h"

#include <netinet/in.h>
#include <stdio.h>

#define LUMI_BATCH 64  /* datagrams per recvmmsg */
#define LUMI_SLOT 4096 /* bytes per datagram slot; longer ones are dropped */
/* Recent datagram fingerprints: a set-associative table of
 * LUMI_DEDUPE_SETS sets of two, the older of a set replaced. */
#define LUMI_DEDUPE_SETS 256

typedef struct {
  uint64_t hash;
  double at;
} lumi_seen_t;

/* REQ_READY completes as soon as it reaches the head of the queue: it marks
 * the end of the start-up reads. */
typedef enum { REQ_LIST, REQ_TOKEN, REQ_READ, REQ_WRITE, REQ_READY } req_kind_t;

typedef struct request request_t;
struct request {
  req_kind_t kind;
  lumi_cmd_t expect; /* the reply command that answers it */
  char sid[LUMI_SID_MAX];
  int tries;       /* sends so far */
  double deadline; /* fail if still queued then (gateway not found) */
  int key_retries; /* writes retried after "Invalid key" */
  value_t *values; /* REQ_WRITE: what to write (owned copies) */
  size_t nvalues;
  device_done_fn done;
  void *arg;
  request_t *next;
};

struct lumi_gw {
  engine_t *eng;
  lumi_gw_config_t cfg;
  char *password, *want_sid;
  char **names; /* pairs sid, name (owned) */
  size_t nnames;
  struct in_addr iface, gw_addr; /* gw_addr 0 until known */
  int have_addr;
  int port;  /* the gateway's command port */
  int proto; /* 1 or 2; 0 until known */
  char sid[LUMI_SID_MAX];
  char token[LUMI_TOKEN_LEN + 1];
  device_t *self; /* the gateway's own device */
  int ready;
  lumi_gw_ready_fn on_ready;
  void *on_ready_arg;

  int mfd, cfd; /* multicast listener (224.0.0.50:9898); commands/whois */
  ev_io mio, cio;
  ev_timer tick; /* liveness, re-join, polling, whois retries */
  ev_timer req_timer;
  double last_mcast; /* last multicast datagram from the gateway */
  double last_join, last_whois, last_poll;
  int gw_silent;         /* multicast considered lost: polling by unicast */
  double list_failed_at; /* the device list went unanswered then; 0: not */
  device_t *poll_next;

  request_t *queue, *queue_tail; /* head is in flight */
  int in_flight;

  lumi_seen_t recent[LUMI_DEDUPE_SETS][2];
  double last_bad_log;
  unsigned long bad_since_log;

  FILE *replay;
  ev_idle replay_idle;
  char *replay_line;
  size_t replay_cap;

  double now; /* the clock, read once per batch of datagrams */
  lumi_gw_stats_t stats;
  lumi_msg_t msg; /* the message being handled (large: kept here, not on the stack) */
  lumi_msg_t out; /* the message being built */
  char slots[LUMI_BATCH][LUMI_SLOT];
};

/* lumi_requests.c */
void lumi_req_push(lumi_gw_t *gw, request_t *r);
/* A reply arrived on the command socket: returns 1 if it answered the
 * request in flight. */
int lumi_req_reply(lumi_gw_t *gw, lumi_msg_t *m);
void lumi_req_fail_all(lumi_gw_t *gw, const char *err);
request_t *lumi_req_new(req_kind_t kind, const char *sid);
void lumi_req_start(lumi_gw_t *gw);
extern const device_ops_t lumi_device_ops;

/* lumi_gateway.c, used by the requests */
void lumi_gw_found(lumi_gw_t *gw, lumi_msg_t *m, struct in_addr from);
void lumi_gw_apply(lumi_gw_t *gw, lumi_msg_t *m, int from_poll);
/* Dispatches a device event now, with these values as its data. */
void lumi_gw_emit(lumi_gw_t *gw, device_t *dev, const char *name, const value_t *values,
                  size_t n);
void lumi_gw_list_loaded(lumi_gw_t *gw, lumi_msg_t *m);
int lumi_gw_send(lumi_gw_t *gw, const lumi_msg_t *m, int multicast_whois);
/* Converts attributes to values (normalised); returns how many. */
size_t lumi_gw_values(const lumi_msg_t *m, value_t *out, size_t max);

#endif
