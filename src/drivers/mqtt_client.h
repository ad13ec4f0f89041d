/* An MQTT client on the engine's loop, built on paho.mqtt.c's MQTTAsync.
 *
 * paho runs its own threads; its callbacks only copy what they got into a
 * queue and wake the loop (ev_async), and everything a user of this module
 * sees (the callbacks below, `done` functions) runs on the loop thread.
 * What paho does well is left to it: buffering publishes while
 * disconnected (sendWhileDisconnected) with its file persistence, so QoS 1
 * and 2 messages survive a broker restart and an engine restart;
 * reconnecting after a lost connection (automaticReconnect, 1 s doubling to
 * 60 s). The first connection, which paho does not retry, is retried here
 * on the same schedule. Never touches Lua. */
#ifndef LUMO_DRIVERS_MQTT_CLIENT_H
#define LUMO_DRIVERS_MQTT_CLIENT_H

#include "core/engine.h"

#include <stddef.h>

typedef struct mqtt_client mqtt_client_t;

typedef struct {
  const char *uri;       /* mqtt://host[:1883] or mqtts://host[:8883] */
  const char *client_id; /* NULL: "lumo-<host name>-<pid>" */
  const char *user, *password;
  /* When set, asked for the password before every connection attempt (a
   * OneNET token is signed anew): writes a NUL-terminated password into
   * out, returns 0 (-1: keep the previous one). Called on paho's thread:
   * must only read what does not change. */
  int (*password_fn)(void *arg, char *out, size_t cap);
  void *password_arg;
  int keepalive;     /* seconds; 0: 60 */
  int clean_session; /* 1: start without the broker's saved session (default) */
  int version;       /* 3 (MQTT 3.1.1, default) or 5 */
  struct {
    const char *ca;   /* CA file (PEM); NULL: the system's */
    const char *cert; /* client certificate (PEM), optional */
    const char *key;  /* its private key (PEM) */
    int insecure;     /* 1: do not verify the server (logged as a warning) */
  } tls;
  struct {
    const char *topic; /* NULL: no will */
    const char *payload;
    size_t len;
    int qos, retain;
  } will;
  const char *state_dir; /* where unsent messages persist; NULL: mqtt_default_state_dir */
  int max_buffered;      /* publishes kept while disconnected; 0: 10000 */
  const char *name;      /* for log lines; NULL: the client id */
} mqtt_config_t;

/* Events, on the loop thread. Any may be NULL. */
typedef struct {
  void (*connected)(void *arg, int reconnect);
  void (*disconnected)(void *arg, const char *reason);
  void (*message)(void *arg, const char *topic, const void *payload, size_t len, int qos,
                  int retained);
} mqtt_events_t;

/* Completion of a publish, subscribe or unsubscribe: err NULL on success. */
typedef void (*mqtt_done_fn)(void *arg, const char *err);

/* Creates the client and starts connecting; returns at once. NULL with a
 * message in err when the options are wrong (bad URI, unreadable CA file,
 * state directory not writable). */
mqtt_client_t *mqtt_open(engine_t *eng, const mqtt_config_t *cfg, const mqtt_events_t *ev,
                         void *arg, char *err, size_t errsize);

/* Publishes (payload copied). While disconnected the message waits in
 * paho's buffer (persisted for QoS 1/2). done runs when the broker has it
 * (QoS 1/2), or when it is written (QoS 0); may be NULL. -1 with a message
 * when the call is refused at once (bad topic, buffer full, closed). */
int mqtt_publish(mqtt_client_t *c, const char *topic, const void *payload, size_t len,
                 int qos, int retain, mqtt_done_fn done, void *arg, char *err,
                 size_t errsize);

/* Subscribes; subscriptions are made again after every reconnection.
 * done (may be NULL) runs with the broker's answer to the first SUBSCRIBE,
 * made now or, while disconnected, once connected. Messages arrive through
 * events.message; matching them to handlers is the caller's
 * (proto/mqtt_topic.h). */
int mqtt_subscribe(mqtt_client_t *c, const char *filter, int qos, mqtt_done_fn done,
                   void *arg, char *err, size_t errsize);
int mqtt_unsubscribe(mqtt_client_t *c, const char *filter, mqtt_done_fn done, void *arg,
                     char *err, size_t errsize);

/* Drops the connection and connects again (the password function is asked
 * anew): how a OneNET token is renewed before it expires. */
void mqtt_reconnect(mqtt_client_t *c);

int mqtt_is_connected(const mqtt_client_t *c);
const char *mqtt_client_id(const mqtt_client_t *c);

/* Disconnects (waiting up to a second for in-flight messages) and frees.
 * Operations still pending get done(arg, "client closed"); QoS 1/2
 * publishes not yet sent stay persisted for the next run. */
void mqtt_close(mqtt_client_t *c);

/* $LUMO_STATE_DIR, else $XDG_STATE_HOME/lumo, else ~/.local/state/lumo,
 * with "/mqtt" appended: into buf. */
const char *mqtt_default_state_dir(char *buf, size_t size);

#endif
