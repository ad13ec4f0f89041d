/* A OneNET device over MQTT (drivers/mqtt_client): signs its token anew for
 * every connection and before the token expires, posts data points in
 * paced batches and matches the platform's accepted/rejected replies to
 * them, and passes commands (MQTTS suite) or property sets and service
 * calls (OneNET Studio) to its user. Never touches Lua. */
#ifndef LUMO_DRIVERS_ONENET_H
#define LUMO_DRIVERS_ONENET_H

#include "core/engine.h"
#include "proto/onenet.h"

typedef struct onenet onenet_t;

#define ONENET_URI_DP "mqtts://mqttstls.heclouds.com:8883"
#define ONENET_URI_THING "mqtts://studio-mqtt.heclouds.com:8883"

typedef struct {
  const char *product, *device, *key; /* key: the device key, base64 */
  const char *method;                 /* md5, sha1, sha256 (default) */
  long long lifetime;                 /* token validity in s; 0: 30 days */
  long long expires;                  /* a fixed et instead (Unix s); 0: none */
  int thing;                          /* 1: OneNET Studio (thing model) topics */
  const char *uri;       /* NULL: the platform's TLS endpoint for the model */
  const char *ca;        /* CA file for mqtts; the platform's: MQTTS-certificate.pem */
  int insecure;          /* do not verify the server (warned) */
  int keepalive;         /* 10..1800 s; 0: 60 */
  const char *state_dir; /* unsent posts; NULL: the MQTT default */
  double interval;       /* least time between posts (s); 0: 1 */
  long max_queued;       /* posts that may wait to be sent; 0: 10000 */
} onenet_config_t;

typedef struct {
  void (*connected)(void *arg);
  void (*disconnected)(void *arg, const char *why);
  /* MQTTS suite: a command; answer with onenet_command_reply. */
  void (*command)(void *arg, const char *cmdid, const void *payload, size_t len);
  /* Studio: property/set or service/{name}/invoke (name NULL for a set);
   * params as JSON text; answer with onenet_thing_reply. */
  void (*thing)(void *arg, const char *id, const char *service, const char *params);
} onenet_events_t;

/* The result of a post: err NULL when the platform accepted it; else why,
 * with the platform's error code (0 when it gave none). */
typedef void (*onenet_done_fn)(void *arg, const char *err, int code);

onenet_t *onenet_open(engine_t *eng, const onenet_config_t *cfg,
                      const onenet_events_t *ev, void *arg, char *err, size_t errsize);
/* Queues points (copied) for the next paced message; several posts go out
 * together when they come faster than the interval. -1 with a message for
 * points the platform would refuse (bad names, values). */
int onenet_post(onenet_t *o, const onenet_point_t *points, size_t n, onenet_done_fn done,
                void *arg, char *err, size_t errsize);
int onenet_command_reply(onenet_t *o, const char *cmdid, const void *payload, size_t len);
int onenet_thing_reply(onenet_t *o, const char *id, const char *service, int code,
                       const char *msg);
int onenet_connected(const onenet_t *o);
/* Pending posts get done(arg, "closed", 0); messages already handed to the
 * MQTT client stay in its state directory for the next run. */
void onenet_close(onenet_t *o);

#endif
