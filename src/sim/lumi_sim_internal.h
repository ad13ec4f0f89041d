/* Shared between the Lumi gateway simulator's files: the device set
 * (lumi_sim_devices.c), the sockets and timers (lumi_sim.c) and the console
 * commands (lumi_sim_console.c). Not for use outside src/sim/. */
#ifndef LUMO_SIM_LUMI_SIM_INTERNAL_H
#define LUMO_SIM_LUMI_SIM_INTERNAL_H

#include "proto/lumi.h"
#include "sim/lumi_sim.h"

#include <stdint.h>

#define SIM_KEY_MAX 32
#define SIM_VAL_MAX 64
#define SIM_MAX_ATTRS 24
#define SIM_NAME_MAX 48
#define SIM_WHERE "lumi-sim"

/* One attribute as it goes on the wire in the simulator's protocol. */
typedef struct {
  char key[SIM_KEY_MAX];
  int is_num;
  double num;
  char str[SIM_VAL_MAX];
} sim_attr_t;

typedef struct {
  char sid[LUMI_SID_MAX + 1];
  char model[LUMI_MODEL_MAX + 1];
  char name[SIM_NAME_MAX];
  lumi_kind_t kind;
  long short_id; /* sent in proto 1 only */
  sim_attr_t attrs[SIM_MAX_ATTRS];
  int nattrs;
} sim_device_t;

struct lumi_sim {
  /* options, with the strings copied */
  char bind[16], iface[16], password[LUMI_TOKEN_LEN + 1], sid[LUMI_SID_MAX + 1];
  int proto;
  double heartbeat, device_heartbeat, random_rate;

  /* devs[0] is the gateway itself; sub-devices follow, in the order added */
  sim_device_t *devs;
  int ndevs, capdevs;

  char token[LUMI_TOKEN_LEN + 1];
  uint64_t rng;

  struct ev_loop *loop;
  int started;
  int cmd_fd;   /* bind:9898: commands in, replies and multicast out */
  int whois_fd; /* bind:4321: unicast whois in, iam out */
  int group_fd; /* 224.0.0.50:4321 joined on iface: multicast whois in */
  ev_io cmd_w, whois_w, group_w;
  ev_timer hb_timer, dev_hb_timer, random_timer;
  int heartbeats_on;
  double silent_until; /* ev_now before which no multicast is sent */
  int dev_hb_next;     /* round-robin index into devs for device heartbeats */
  double random_start;
  uint64_t random_sent;

  /* console */
  int in_fd, in_flags;
  ev_io in_w;
  char inbuf[4096];
  size_t inlen;
  int in_skip; /* discarding the rest of an over-long line */
  FILE *out;
};

/* ---- device set (lumi_sim_devices.c) ---- */

/* A device by sid or name, NULL if none. */
sim_device_t *sim_dev_find(lumi_sim_t *s, const char *sid_or_name);
const sim_attr_t *sim_dev_get(const sim_device_t *d, const char *key);
/* Sets (or adds) one attribute: a string when str is non-NULL, else a number. */
void sim_dev_set(sim_device_t *d, const char *key, const char *str, double num);
void sim_dev_unset(sim_device_t *d, const char *key);
/* Sets an attribute given in proto 1 names and forms (e.g. "status"="open",
 * "temperature"="2350"), renamed and converted for the simulator's protocol.
 * Writes the wire form to *out when out is non-NULL. */
void sim_dev_set_v1(lumi_sim_t *s, sim_device_t *d, const char *key, const char *str,
                    double num, sim_attr_t *out);
/* The wire name of a proto 1 attribute name for a device of `kind`. */
const char *sim_wire_key(int proto, lumi_kind_t kind, const char *v1key);
/* Whether an attribute is an event (a click, a motion) that a heartbeat
 * does not repeat. */
int sim_attr_is_event(int proto, lumi_kind_t kind, const char *key);
/* "a motion sensor", "a plug", ... */
const char *sim_kind_label(lumi_kind_t kind);
/* Attributes as one compact JSON object, for console lines. */
void sim_attrs_json(const sim_attr_t *a, int n, char *out, size_t cap);
/* Removes a sub-device (never the gateway). */
void sim_dev_remove(lumi_sim_t *s, sim_device_t *d);
/* Adds devs[0], the gateway itself (lumi_sim_new). */
void sim_dev_add_gateway(lumi_sim_t *s);

/* ---- sockets and messages (lumi_sim.c) ---- */

/* Multicasts a report (or a heartbeat) of attrs for device d. Returns 1 if
 * sent, 0 if dropped because the simulator is silent, -1 on a send error
 * (logged). */
int sim_send_report(lumi_sim_t *s, const sim_device_t *d, const sim_attr_t *attrs, int n);
int sim_send_heartbeat(lumi_sim_t *s, const sim_device_t *d);
void sim_token_rotate(lumi_sim_t *s);
/* Seconds of silence left (0 when not silent). */
double sim_silence_left(lumi_sim_t *s);
void sim_silence(lumi_sim_t *s, double seconds);
/* A random number in [0, n). */
uint32_t sim_random(lumi_sim_t *s, uint32_t n);
/* One random plausible report from a random sub-device (--random). */
void sim_random_report(lumi_sim_t *s);

/* ---- console (lumi_sim_console.c) ---- */

void sim_console_start(lumi_sim_t *s, int fd, FILE *out);
void sim_console_stop(lumi_sim_t *s);

#endif
