/* The MQTT client: paho's MQTTAsync behind a queue that its threads fill
 * and the loop drains (see mqtt_client.h). */
#include "drivers/mqtt_client.h"

#include "core/log.h"
#include "core/mem.h"
#include "proto/mqtt_topic.h"

#include <MQTTAsync.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RETRY_MIN 1.0
#define RETRY_MAX 60.0

typedef enum {
  ITEM_CONNECTED,    /* rc: 1 when it was a reconnection */
  ITEM_CONNECT_FAIL, /* text: why */
  ITEM_LOST,         /* text: why */
  ITEM_MESSAGE,
  ITEM_DONE,         /* an operation finished: op, text (NULL: success) */
  ITEM_DISCONNECTED, /* a disconnect we asked for is done: connect again */
} item_kind_t;

typedef struct op op_t;

typedef struct item {
  item_kind_t kind;
  int rc, qos, retained;
  char *text;    /* topic for messages, else a reason or NULL */
  void *payload; /* messages */
  size_t len;
  op_t *op;
  struct item *next;
} item_t;

/* A pending publish/subscribe/unsubscribe: paho's context for its result.
 * Owned by the loop: freed when its result is handled, or at close. */
struct op {
  mqtt_client_t *c;
  mqtt_done_fn done;
  void *arg;
  int sub;       /* a subscription (its result is the broker's SUBACK) */
  char *waiting; /* a subscription asked for while disconnected: its filter */
  op_t *prev, *next;
};

struct mqtt_client {
  engine_t *eng;
  MQTTAsync h;
  char *uri, *client_id, *name, *user, *password;
  char *ca, *cert, *key, *will_topic, *will_payload;
  size_t will_len;
  int will_qos, will_retain;
  int (*password_fn)(void *, char *, size_t);
  void *password_arg;
  int keepalive, clean, version, insecure, tls;
  mqtt_events_t ev;
  void *arg;

  pthread_mutex_t lock; /* guards the queue only */
  item_t *head, *tail;
  ev_async wake;

  ev_timer retry; /* the first connection's retries */
  double backoff; /* seconds until the next retry */
  int connected;  /* as the loop last heard */
  int ever;       /* connected once: paho reconnects from now on */
  int connecting; /* a connect call is out */
  int in_wake;    /* on_wake is handling items: mqtt_close defers the free */
  int closed;     /* mqtt_close was called during on_wake */
  op_t *ops;      /* pending operations */
  char **subs;    /* filters subscribed, with their qos, to re-subscribe */
  int *subqos;
  size_t nsubs;
};

/* ---- paho's threads: copy, enqueue, wake ---- */

static void enqueue(mqtt_client_t *c, item_t *it) {
  pthread_mutex_lock(&c->lock);
  if (c->tail)
    c->tail->next = it;
  else
    c->head = it;
  c->tail = it;
  pthread_mutex_unlock(&c->lock);
  ev_async_send(c->eng->loop, &c->wake);
}

static void push(mqtt_client_t *c, item_kind_t kind, op_t *op, const char *text, int rc) {
  item_t *it = mem_calloc(1, sizeof *it);
  it->kind = kind;
  it->op = op;
  it->rc = rc;
  it->text = text ? mem_strdup(text) : NULL;
  enqueue(c, it);
}

/* paho's reason code as words. */
static const char *connack_reason(int code) {
  switch (code) {
  case 1:
    return "the broker does not accept this MQTT version";
  case 2:
    return "the broker refused the client id";
  case 3:
    return "the broker is unavailable";
  case 4:
    return "bad user name or password (check user= and password=)";
  case 5:
    return "not authorised (check user= and password=, and the broker's ACL)";
  case 134: /* MQTT 5 */
    return "bad user name or password (check user= and password=)";
  case 135:
    return "not authorised (check user= and password=, and the broker's ACL)";
  }
  return NULL;
}

static void fail_text(char *buf, size_t size, int code, const char *message) {
  const char *why = connack_reason(code);
  if (why)
    snprintf(buf, size, "%s", why);
  else if (message && *message)
    snprintf(buf, size, "%s", message);
  else
    snprintf(buf, size, "%s", MQTTAsync_strerror(code));
}

static void on_connect_ok(void *ctx, MQTTAsync_successData *d) {
  (void)d;
  push(ctx, ITEM_CONNECTED, NULL, NULL, 0);
}

static void on_connect_fail(void *ctx, MQTTAsync_failureData *d) {
  char why[256];
  fail_text(why, sizeof why, d ? d->code : -1, d ? d->message : NULL);
  push(ctx, ITEM_CONNECT_FAIL, NULL, why, 0);
}

static void on_connect_ok5(void *ctx, MQTTAsync_successData5 *d) {
  (void)d;
  push(ctx, ITEM_CONNECTED, NULL, NULL, 0);
}

static void on_connect_fail5(void *ctx, MQTTAsync_failureData5 *d) {
  char why[256];
  fail_text(why, sizeof why, d ? (int)d->reasonCode : -1, d ? d->message : NULL);
  push(ctx, ITEM_CONNECT_FAIL, NULL, why, 0);
}

/* After an automatic reconnection (and after the first connection, which
 * on_connect_ok reports already). */
static void on_connected(void *ctx, char *cause) {
  mqtt_client_t *c = ctx;
  if (cause && strstr(cause, "reconnect")) push(c, ITEM_CONNECTED, NULL, NULL, 1);
}

static void on_lost(void *ctx, char *cause) {
  push(ctx, ITEM_LOST, NULL, cause && *cause ? cause : "connection lost", 0);
}

static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *m) {
  mqtt_client_t *c = ctx;
  item_t *it = mem_calloc(1, sizeof *it);
  it->kind = ITEM_MESSAGE;
  size_t tl = topic_len > 0 ? (size_t)topic_len : strlen(topic);
  it->text = mem_strndup(topic, tl);
  it->len = m->payloadlen > 0 ? (size_t)m->payloadlen : 0;
  it->payload = mem_calloc(1, it->len + 1);
  if (it->len) memcpy(it->payload, m->payload, it->len);
  ((char *)it->payload)[it->len] = '\0';
  it->qos = m->qos;
  it->retained = m->retained;
  MQTTAsync_freeMessage(&m);
  MQTTAsync_free(topic);
  enqueue(c, it);
  return 1;
}

/* An operation's result (the op is the context). */
static void op_result(op_t *op, int code, const char *message) {
  char why[256];
  if (code != MQTTASYNC_SUCCESS) fail_text(why, sizeof why, code, message);
  push(op->c, ITEM_DONE, op, code == MQTTASYNC_SUCCESS ? NULL : why, 0);
}

static void on_op_ok(void *ctx, MQTTAsync_successData *d) {
  (void)d;
  op_result(ctx, MQTTASYNC_SUCCESS, NULL);
}

static void on_op_fail(void *ctx, MQTTAsync_failureData *d) {
  op_result(ctx, d && d->code != MQTTASYNC_SUCCESS ? d->code : MQTTASYNC_FAILURE,
            d ? d->message : NULL);
}

static void on_op_ok5(void *ctx, MQTTAsync_successData5 *d) {
  (void)d;
  op_result(ctx, MQTTASYNC_SUCCESS, NULL);
}

static void on_op_fail5(void *ctx, MQTTAsync_failureData5 *d) {
  op_result(ctx, d && d->code != MQTTASYNC_SUCCESS ? d->code : MQTTASYNC_FAILURE,
            d ? d->message : NULL);
}

/* Before each connection attempt: a fresh password if the user gave a
 * function for it. */
static int on_update_options(void *ctx, MQTTAsync_connectData *d) {
  mqtt_client_t *c = ctx;
  if (!c->password_fn) return 0;
  char pw[1024];
  if (c->password_fn(c->password_arg, pw, sizeof pw) != 0) return 0;
  size_t n = strlen(pw);
  char *copy = MQTTAsync_malloc(n + 1);
  if (!copy) return 0;
  memcpy(copy, pw, n + 1);
  d->binarypwd.data = copy;
  d->binarypwd.len = (int)n;
  return 1;
}

/* ---- the loop's side ---- */

static void start_connect(mqtt_client_t *c);
static void free_client(mqtt_client_t *c);

static const char *name_of(const mqtt_client_t *c) {
  return c->name;
}

static op_t *op_new(mqtt_client_t *c, mqtt_done_fn done, void *arg) {
  op_t *op = mem_calloc(1, sizeof *op);
  op->c = c;
  op->done = done;
  op->arg = arg;
  op->next = c->ops;
  if (c->ops) c->ops->prev = op;
  c->ops = op;
  return op;
}

static op_t *sub_op_new(mqtt_client_t *c, mqtt_done_fn done, void *arg) {
  op_t *op = op_new(c, done, arg);
  op->sub = 1;
  return op;
}

static void op_unlink(mqtt_client_t *c, op_t *op) {
  if (op->prev)
    op->prev->next = op->next;
  else
    c->ops = op->next;
  if (op->next) op->next->prev = op->prev;
}

static void op_finish(mqtt_client_t *c, op_t *op, const char *err) {
  op_unlink(c, op);
  if (op->done) op->done(op->arg, err);
  free(op->waiting);
  free(op);
}

static void resubscribe(mqtt_client_t *c);

static void handle(mqtt_client_t *c, item_t *it) {
  switch (it->kind) {
  case ITEM_CONNECTED:
    c->connecting = 0;
    c->connected = 1;
    c->backoff = RETRY_MIN;
    log_info("mqtt", "%s: connected%s", name_of(c), it->rc ? " again" : "");
    if (!c->ever || it->rc) resubscribe(c);
    c->ever = 1;
    if (c->ev.connected) c->ev.connected(c->arg, it->rc);
    break;
  case ITEM_CONNECT_FAIL:
    c->connecting = 0;
    log_warn("mqtt", "%s: cannot connect: %s; trying again in %.0f s", name_of(c),
             it->text, c->backoff);
    ev_timer_set(&c->retry, c->backoff, 0);
    ev_timer_start(c->eng->loop, &c->retry);
    c->backoff = c->backoff * 2 > RETRY_MAX ? RETRY_MAX : c->backoff * 2;
    if (c->ev.disconnected) c->ev.disconnected(c->arg, it->text);
    break;
  case ITEM_LOST:
    c->connected = 0;
    log_warn("mqtt", "%s: %s; reconnecting (1 s, then doubling up to 60 s)", name_of(c),
             it->text);
    if (c->ev.disconnected) c->ev.disconnected(c->arg, it->text);
    break;
  case ITEM_MESSAGE:
    if (c->ev.message)
      c->ev.message(c->arg, it->text, it->payload, it->len, it->qos, it->retained);
    break;
  case ITEM_DONE:
    op_finish(c, it->op, it->text);
    break;
  case ITEM_DISCONNECTED:
    c->connected = 0;
    c->connecting = 0;
    start_connect(c);
    break;
  }
}

static void item_free(item_t *it) {
  free(it->text);
  free(it->payload);
  free(it);
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents) {
  (void)loop;
  (void)revents;
  mqtt_client_t *c = w->data;
  pthread_mutex_lock(&c->lock);
  item_t *it = c->head;
  c->head = c->tail = NULL;
  pthread_mutex_unlock(&c->lock);
  c->in_wake = 1;
  while (it) {
    item_t *next = it->next;
    if (!c->closed) handle(c, it); /* a handler may have closed the client */
    item_free(it);
    it = next;
  }
  c->in_wake = 0;
  if (c->closed) free_client(c);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  start_connect(w->data);
}

static void start_connect(mqtt_client_t *c) {
  if (c->connecting) return;
  MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
  MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
  if (c->version == 5) {
    o = o5;
    o.cleanstart = c->clean;
    o.onSuccess5 = on_connect_ok5;
    o.onFailure5 = on_connect_fail5;
  } else {
    o.cleansession = c->clean;
    o.onSuccess = on_connect_ok;
    o.onFailure = on_connect_fail;
  }
  o.context = c;
  o.keepAliveInterval = c->keepalive;
  o.automaticReconnect = 1;
  o.minRetryInterval = (int)RETRY_MIN;
  o.maxRetryInterval = (int)RETRY_MAX;
  o.connectTimeout = 10;
  o.username = c->user;
  char pw[1024];
  if (c->password_fn && c->password_fn(c->password_arg, pw, sizeof pw) == 0) {
    free(c->password);
    c->password = mem_strdup(pw);
  }
  o.password = c->password;
  MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
  if (c->will_topic) {
    will.topicName = c->will_topic;
    will.payload.data = c->will_payload;
    will.payload.len = (int)c->will_len;
    will.qos = c->will_qos;
    will.retained = c->will_retain;
    o.will = &will;
  }
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (c->tls) {
    ssl.trustStore = c->ca;
    ssl.keyStore = c->cert;
    ssl.privateKey = c->key;
    ssl.enableServerCertAuth = !c->insecure;
    ssl.verify = !c->insecure; /* the host name too */
    ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_2;
    o.ssl = &ssl;
  }
  c->connecting = 1;
  int rc = MQTTAsync_connect(c->h, &o);
  if (rc != MQTTASYNC_SUCCESS) {
    c->connecting = 0;
    item_t it = {.kind = ITEM_CONNECT_FAIL, .text = (char *)MQTTAsync_strerror(rc)};
    handle(c, &it);
  }
}

/* ---- set-up ---- */

const char *mqtt_default_state_dir(char *buf, size_t size) {
  const char *s = getenv("LUMO_STATE_DIR"), *x = getenv("XDG_STATE_HOME"),
             *home = getenv("HOME");
  if (s && *s)
    snprintf(buf, size, "%s/mqtt", s);
  else if (x && *x)
    snprintf(buf, size, "%s/lumo/mqtt", x);
  else
    snprintf(buf, size, "%s/.local/state/lumo/mqtt", home && *home ? home : "/tmp");
  return buf;
}

/* mkdir -p, owner-only for what it creates (unsent messages are private). */
static int make_dirs(const char *path, char *err, size_t errsize) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1;; p++) {
    if (*p == '/' || !*p) {
      char saved = *p;
      *p = '\0';
      if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errsize, "cannot create the state directory %s: %s", tmp,
                 strerror(errno));
        return -1;
      }
      *p = saved;
      if (!saved) break;
    }
  }
  if (access(path, W_OK) != 0) {
    snprintf(err, errsize, "the state directory %s is not writable: %s", path,
             strerror(errno));
    return -1;
  }
  return 0;
}

static char *dup_opt(const char *s) {
  return s ? mem_strdup(s) : NULL;
}

/* paho wants tcp:// and ssl://; users write mqtt:// and mqtts://. */
static int server_uri(const char *uri, char *out, size_t size, int *tls, char *err,
                      size_t errsize) {
  const char *rest;
  if (!strncmp(uri, "mqtt://", 7) || !strncmp(uri, "tcp://", 6)) {
    rest = strchr(uri, ':') + 3;
    *tls = 0;
  } else if (!strncmp(uri, "mqtts://", 8) || !strncmp(uri, "ssl://", 6)) {
    rest = strchr(uri, ':') + 3;
    *tls = 1;
  } else {
    snprintf(err, errsize, "uri must start with mqtt:// or mqtts://, got '%.80s'", uri);
    return -1;
  }
  if (!*rest || *rest == ':' || *rest == '/') {
    snprintf(err, errsize, "uri '%.80s' has no host", uri);
    return -1;
  }
  const char *colon = strrchr(rest, ':');
  if (colon && !strchr(colon, ']')) {
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 1 || port > 65535) {
      snprintf(err, errsize, "uri '%.80s': the port must be 1..65535", uri);
      return -1;
    }
    snprintf(out, size, "%s://%s", *tls ? "ssl" : "tcp", rest);
  } else {
    snprintf(out, size, "%s://%s:%d", *tls ? "ssl" : "tcp", rest, *tls ? 8883 : 1883);
  }
  return 0;
}

static int readable(const char *what, const char *path, char *err, size_t errsize) {
  if (!path || access(path, R_OK) == 0) return 0;
  snprintf(err, errsize, "cannot read the %s %s: %s", what, path, strerror(errno));
  return -1;
}

mqtt_client_t *mqtt_open(engine_t *eng, const mqtt_config_t *cfg, const mqtt_events_t *ev,
                         void *arg, char *err, size_t errsize) {
  char server[512], dir[1024];
  int tls;
  if (!cfg->uri) {
    snprintf(err, errsize, "give the broker's uri, e.g. mqtt://127.0.0.1:1883");
    return NULL;
  }
  if (server_uri(cfg->uri, server, sizeof server, &tls, err, errsize) != 0) return NULL;
  if (!tls && (cfg->tls.ca || cfg->tls.cert)) {
    snprintf(err, errsize, "tls options need an mqtts:// uri");
    return NULL;
  }
  if (readable("CA file", cfg->tls.ca, err, errsize) ||
      readable("client certificate", cfg->tls.cert, err, errsize) ||
      readable("client key", cfg->tls.key, err, errsize))
    return NULL;
  if (cfg->will.topic && mqtt_topic_error(cfg->will.topic)) {
    snprintf(err, errsize, "will topic: %s", mqtt_topic_error(cfg->will.topic));
    return NULL;
  }
  if (cfg->state_dir)
    snprintf(dir, sizeof dir, "%s", cfg->state_dir);
  else
    mqtt_default_state_dir(dir, sizeof dir);
  if (make_dirs(dir, err, errsize) != 0) return NULL;

  mqtt_client_t *c = mem_calloc(1, sizeof *c);
  c->eng = eng;
  c->uri = mem_strdup(cfg->uri);
  if (cfg->client_id && *cfg->client_id) {
    c->client_id = mem_strdup(cfg->client_id);
  } else {
    char host[64] = "host", id[128];
    gethostname(host, sizeof host - 1);
    snprintf(id, sizeof id, "lumo-%s-%d", host, (int)getpid());
    c->client_id = mem_strdup(id);
  }
  c->name = mem_strdup(cfg->name ? cfg->name : c->client_id);
  c->user = dup_opt(cfg->user);
  c->password = dup_opt(cfg->password);
  c->password_fn = cfg->password_fn;
  c->password_arg = cfg->password_arg;
  c->ca = dup_opt(cfg->tls.ca);
  c->cert = dup_opt(cfg->tls.cert);
  c->key = dup_opt(cfg->tls.key);
  c->insecure = cfg->tls.insecure;
  c->tls = tls;
  if (cfg->will.topic) {
    c->will_topic = mem_strdup(cfg->will.topic);
    c->will_len = cfg->will.len;
    c->will_payload = mem_calloc(1, c->will_len + 1);
    if (c->will_len) memcpy(c->will_payload, cfg->will.payload, c->will_len);
    c->will_qos = cfg->will.qos;
    c->will_retain = cfg->will.retain;
  }
  c->keepalive = cfg->keepalive > 0 ? cfg->keepalive : 60;
  c->clean = cfg->clean_session;
  c->version = cfg->version == 5 ? 5 : 3;
  c->ev = ev ? *ev : (mqtt_events_t){0};
  c->arg = arg;
  c->backoff = RETRY_MIN;
  pthread_mutex_init(&c->lock, NULL);
  ev_async_init(&c->wake, on_wake);
  c->wake.data = c;
  ev_async_start(eng->loop, &c->wake);
  ev_init(&c->retry, on_retry);
  c->retry.data = c;

  MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
  co.sendWhileDisconnected = 1;
  co.maxBufferedMessages = cfg->max_buffered > 0 ? cfg->max_buffered : 10000;
  co.allowDisconnectedSendAtAnyTime = 1; /* before the first connection too */
  co.restoreMessages = 1;
  co.persistQoS0 = 0;
  co.MQTTVersion = c->version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
  int rc = MQTTAsync_createWithOptions(&c->h, server, c->client_id,
                                       MQTTCLIENT_PERSISTENCE_DEFAULT, dir, &co);
  if (rc != MQTTASYNC_SUCCESS) {
    snprintf(err, errsize, "cannot create the MQTT client for %s: %s", cfg->uri,
             MQTTAsync_strerror(rc));
    c->h = NULL;
    mqtt_close(c);
    return NULL;
  }
  MQTTAsync_setCallbacks(c->h, c, on_lost, on_message, NULL);
  MQTTAsync_setConnected(c->h, c, on_connected);
  MQTTAsync_setUpdateConnectOptions(c->h, c, on_update_options);
  if (tls && c->insecure)
    log_warn("mqtt",
             "%s: TLS without verifying the server (tls.verify = false): anyone "
             "between here and the broker can read and change the traffic",
             name_of(c));
  start_connect(c);
  return c;
}

/* ---- operations ---- */

static int op_start(mqtt_client_t *c, op_t *op, MQTTAsync_responseOptions *ro) {
  ro->context = op;
  if (c->version == 5) {
    ro->onSuccess5 = on_op_ok5;
    ro->onFailure5 = on_op_fail5;
  } else {
    ro->onSuccess = on_op_ok;
    ro->onFailure = on_op_fail;
  }
  return 0;
}

/* A call paho refused at once: no callback will come for it. */
static int refused(mqtt_client_t *c, op_t *op, int rc, const char *what, char *err,
                   size_t errsize) {
  op_unlink(c, op);
  free(op->waiting);
  free(op);
  snprintf(err, errsize, "%s: %s", what,
           rc == MQTTASYNC_MAX_BUFFERED_MESSAGES
               ? "too many messages waiting for the broker (max_buffered)"
               : MQTTAsync_strerror(rc));
  return -1;
}

int mqtt_publish(mqtt_client_t *c, const char *topic, const void *payload, size_t len,
                 int qos, int retain, mqtt_done_fn done, void *arg, char *err,
                 size_t errsize) {
  const char *bad = mqtt_topic_error(topic);
  if (bad) {
    snprintf(err, errsize, "%s", bad);
    return -1;
  }
  if (qos < 0 || qos > 2 || len > 256u * 1024 * 1024) {
    snprintf(err, errsize,
             qos < 0 || qos > 2 ? "qos must be 0, 1 or 2"
                                : "payload larger than MQTT allows");
    return -1;
  }
  MQTTAsync_message m = MQTTAsync_message_initializer;
  m.payload = (void *)payload;
  m.payloadlen = (int)len;
  m.qos = qos;
  m.retained = retain;
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  op_t *op = op_new(c, done, arg);
  op_start(c, op, &ro);
  int rc = MQTTAsync_sendMessage(c->h, topic, &m, &ro);
  if (rc != MQTTASYNC_SUCCESS) return refused(c, op, rc, "publish", err, errsize);
  return 0;
}

static void remember(mqtt_client_t *c, const char *filter, int qos) {
  for (size_t i = 0; i < c->nsubs; i++)
    if (!strcmp(c->subs[i], filter)) {
      c->subqos[i] = qos;
      return;
    }
  c->subs = mem_realloc(c->subs, (c->nsubs + 1) * sizeof *c->subs);
  c->subqos = mem_realloc(c->subqos, (c->nsubs + 1) * sizeof *c->subqos);
  c->subs[c->nsubs] = mem_strdup(filter);
  c->subqos[c->nsubs++] = qos;
}

static void forget(mqtt_client_t *c, const char *filter) {
  for (op_t *op = c->ops, *next; op; op = next) {
    next = op->next;
    if (op->waiting && !strcmp(op->waiting, filter))
      op_finish(c, op, "unsubscribed before the connection was made");
  }
  for (size_t i = 0; i < c->nsubs; i++)
    if (!strcmp(c->subs[i], filter)) {
      free(c->subs[i]);
      c->subs[i] = c->subs[c->nsubs - 1];
      c->subqos[i] = c->subqos[c->nsubs - 1];
      c->nsubs--;
      return;
    }
}

static int send_subscribe(mqtt_client_t *c, const char *filter, int qos, op_t *op,
                          char *err, size_t errsize) {
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  op_start(c, op, &ro);
  int rc = MQTTAsync_subscribe(c->h, filter, qos, &ro);
  if (rc != MQTTASYNC_SUCCESS) return refused(c, op, rc, "subscribe", err, errsize);
  return 0;
}

static void resend(mqtt_client_t *c, size_t i, op_t *op) {
  mqtt_done_fn done = op->done;
  void *arg = op->arg;
  char err[160];
  if (send_subscribe(c, c->subs[i], c->subqos[i], op, err, sizeof err) != 0) {
    log_warn("mqtt", "%s: subscribing to %s again failed: %s", name_of(c), c->subs[i],
             err);
    if (done) done(arg, err);
  }
}

/* A clean session forgets subscriptions: make them again. One asked for
 * while disconnected is made now, with its caller's completion (each such
 * caller with a SUBSCRIBE of its own: a repeated one only replaces it). */
static void resubscribe(mqtt_client_t *c) {
  for (size_t i = 0; i < c->nsubs; i++) {
    int sent = 0;
    for (op_t *op = c->ops, *next; op; op = next) {
      next = op->next;
      if (!op->waiting || strcmp(op->waiting, c->subs[i]) != 0) continue;
      free(op->waiting);
      op->waiting = NULL;
      resend(c, i, op);
      sent = 1;
    }
    if (!sent) resend(c, i, sub_op_new(c, NULL, NULL));
  }
}

int mqtt_subscribe(mqtt_client_t *c, const char *filter, int qos, mqtt_done_fn done,
                   void *arg, char *err, size_t errsize) {
  const char *bad = mqtt_filter_error(filter);
  if (bad || qos < 0 || qos > 2) {
    snprintf(err, errsize, "%s", bad ? bad : "qos must be 0, 1 or 2");
    return -1;
  }
  remember(c, filter, qos);
  if (!c->connected) {
    /* Made on connection (resubscribe), which reports the broker's answer. */
    if (done) sub_op_new(c, done, arg)->waiting = mem_strdup(filter);
    return 0;
  }
  return send_subscribe(c, filter, qos, sub_op_new(c, done, arg), err, errsize);
}

int mqtt_unsubscribe(mqtt_client_t *c, const char *filter, mqtt_done_fn done, void *arg,
                     char *err, size_t errsize) {
  forget(c, filter);
  if (!c->connected) {
    if (done) done(arg, NULL);
    return 0;
  }
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  op_t *op = op_new(c, done, arg);
  op_start(c, op, &ro);
  int rc = MQTTAsync_unsubscribe(c->h, filter, &ro);
  if (rc != MQTTASYNC_SUCCESS) return refused(c, op, rc, "unsubscribe", err, errsize);
  return 0;
}

static void on_disconnect_done(void *ctx, MQTTAsync_successData *d) {
  (void)d;
  push(ctx, ITEM_DISCONNECTED, NULL, NULL, 0);
}

static void on_disconnect_fail(void *ctx, MQTTAsync_failureData *d) {
  (void)d;
  push(ctx, ITEM_DISCONNECTED, NULL, NULL, 0);
}

void mqtt_reconnect(mqtt_client_t *c) {
  if (!c->connected) return; /* connecting anyway, with a fresh password */
  log_info("mqtt", "%s: reconnecting (%s)", name_of(c),
           c->password_fn ? "a fresh password" : "asked to");
  MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
  d.timeout = 1000;
  d.onSuccess = on_disconnect_done;
  d.onFailure = on_disconnect_fail;
  d.context = c;
  if (MQTTAsync_disconnect(c->h, &d) != MQTTASYNC_SUCCESS) start_connect(c);
}

int mqtt_is_connected(const mqtt_client_t *c) {
  return c->connected;
}

const char *mqtt_client_id(const mqtt_client_t *c) {
  return c->client_id;
}

void mqtt_close(mqtt_client_t *c) {
  if (!c || c->closed) return;
  if (c->h) {
    MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
    d.timeout = 1000;
    if (MQTTAsync_isConnected(c->h)) {
      MQTTAsync_disconnect(c->h, &d);
      for (int i = 0; i < 110 && MQTTAsync_isConnected(c->h); i++) usleep(10000);
    }
    /* After destroy no paho callback runs any more. */
    MQTTAsync_destroy(&c->h);
  }
  ev_timer_stop(c->eng->loop, &c->retry);
  ev_async_stop(c->eng->loop, &c->wake);
  item_t *it = c->head;
  while (it) {
    item_t *next = it->next;
    item_free(it);
    it = next;
  }
  while (c->ops)
    op_finish(c, c->ops,
              c->ops->sub ? "client closed before the broker granted the subscription"
                          : "client closed before the broker had it (a QoS 1/2 message "
                            "is kept and sent on the next run)");
  if (c->in_wake)
    c->closed = 1; /* on_wake frees it when it is done */
  else
    free_client(c);
}

static void free_client(mqtt_client_t *c) {
  pthread_mutex_destroy(&c->lock);
  for (size_t i = 0; i < c->nsubs; i++) free(c->subs[i]);
  free(c->subs);
  free(c->subqos);
  if (c->password) memset(c->password, 0, strlen(c->password));
  free(c->uri);
  free(c->client_id);
  free(c->name);
  free(c->user);
  free(c->password);
  free(c->ca);
  free(c->cert);
  free(c->key);
  free(c->will_topic);
  free(c->will_payload);
  free(c);
}
