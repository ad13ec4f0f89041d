/* A simulated Xiaomi/Aqara (Lumi) gateway with Zigbee sub-devices: answers
 * whois, get_id_list/discovery, read and write over real UDP sockets and
 * multicasts heartbeats and reports, all through the proto/lumi codec, so
 * rules and drivers can be tried without hardware (`lumo sim lumi`).
 *
 * Decisions a client may notice (shared/PROTOCOLS.md §1 has the facts):
 * - One protocol at a time: proto 1 answers get_id_list and speaks `data`
 *   strings; proto 2 answers discovery and speaks `params`. The other
 *   listing command gets server_ack "Unsupported cmd".
 * - A write key is checked against the current token only (case
 *   insensitively), as a real gateway does: a client that loses the race
 *   with a heartbeat gets "Invalid key" and must refresh and retry.
 * - The token changes every heartbeat period even while heartbeats are
 *   suppressed (`silence`, `stop-heartbeats`): only the datagrams are lost.
 * - A successful write is acknowledged with the state before it, then the
 *   written attributes are reported (even if unchanged): the device
 *   confirming what it now is. */
#ifndef LUMO_SIM_LUMI_SIM_H
#define LUMO_SIM_LUMI_SIM_H

#include <ev.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
  const char
      *bind; /* the gateway's own address: commands, replies, sender of multicast */
  const char *iface;       /* IP_MULTICAST_IF and the interface that joins 224.0.0.50 */
  const char *password;    /* 16 characters: the AES key for write keys */
  const char *sid;         /* the gateway's sid, 12 lower-case hex */
  int proto;               /* 1 or 2 */
  double heartbeat;        /* gateway heartbeat period, seconds (> 0) */
  double device_heartbeat; /* sub-device heartbeat period, seconds; 0 = none */
  double random_rate;      /* random reports per second; 0 = none */
} lumi_sim_opts_t;

#define LUMI_SIM_DEFAULT_BIND "127.0.0.2"
#define LUMI_SIM_DEFAULT_IFACE "127.0.0.1"
#define LUMI_SIM_DEFAULT_PASSWORD "0987654321qwerty"
#define LUMI_SIM_DEFAULT_SID "7811dcb7a982"

typedef struct lumi_sim lumi_sim_t;

/* Creates a simulator holding only its gateway; the strings in `o` are
 * copied. Options must already be valid (the CLI checks them). Never NULL. */
lumi_sim_t *lumi_sim_new(const lumi_sim_opts_t *o);
void lumi_sim_free(lumi_sim_t *s);

/* Adds a sub-device. model must be one lumi_kind_of() knows; sid lower-case
 * hex; name may be NULL or "". Returns 0, or -1 with a message in err. */
int lumi_sim_add_device(lumi_sim_t *s, const char *model, const char *sid,
                        const char *name, char *err, size_t errlen);
/* Parses "MODEL:SID" or "MODEL:SID:NAME" and adds it. 0 or -1 with err. */
int lumi_sim_add_device_spec(lumi_sim_t *s, const char *spec, char *err, size_t errlen);
/* Loads a JSON array of {"sid", "model", "name"?, "state"?} (state: the
 * attributes in proto 1 names and forms, converted for proto 2). 0 or -1
 * with err naming the file and entry. */
int lumi_sim_load_devices(lumi_sim_t *s, const char *path, char *err, size_t errlen);
/* Adds the default set (motion, magnet, button, sensor_ht, plug). */
void lumi_sim_add_default_devices(lumi_sim_t *s);
/* Number of sub-devices (the gateway not counted). */
int lumi_sim_device_count(const lumi_sim_t *s);

/* Opens the sockets and starts the timers on `loop`; reads console commands
 * from console_fd (-1 for none; made non-blocking, restored by stop) and
 * writes their one-line answers to `out`. Returns 0, or -1 with a message in
 * err saying what to fix. */
int lumi_sim_start(lumi_sim_t *s, struct ev_loop *loop, int console_fd, FILE *out,
                   char *err, size_t errlen);
/* Stops every watcher and closes the sockets; safe to call twice. */
void lumi_sim_stop(lumi_sim_t *s);

/* Runs one console command line ("motion hall", "temp lounge 23.5", ...)
 * and writes its answer (one line, no newline; `devices` and `help` write
 * several) to out. Returns 0 on success, -1 when the answer is an error. */
int lumi_sim_command(lumi_sim_t *s, const char *line, char *out, size_t cap);

/* The help text of the console commands, for --help and `help`. */
extern const char lumi_sim_console_help[];

#endif
