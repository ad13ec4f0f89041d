/* The OneNET device: a queue of posts flushed at most once per interval
 * into one message, the messages in flight waiting for their reply, and
 * the platform's requests passed up. */
#include "drivers/onenet.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/timer.h"
#include "drivers/mqtt_client.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHERE "onenet"
#define DEFAULT_LIFETIME (30LL * 86400)
#define MAX_POINTS 64     /* points per message */
#define MAX_MESSAGE 16384 /* bytes per message */
#define REPLY_TIMEOUT 30.0
#define DEFAULT_MAX_QUEUED 10000

typedef struct post {
  onenet_point_t *points; /* deep copies */
  size_t n;
  onenet_done_fn done;
  void *arg;
  struct post *next;
} post_t;

typedef struct flight {
  long id;
  post_t *posts;
  double sent_at; /* when it went out while connected; 0: waiting for a connection */
  struct flight *next;
} flight_t;

struct onenet {
  engine_t *eng;
  mqtt_client_t *mq;
  char *product, *device, *key, *method;
  long long lifetime, expires;
  int thing;
  double interval, last_sent;
  onenet_events_t ev;
  void *arg;
  post_t *queue, *queue_tail;
  long queued, max_queued; /* posts in the queue, and the most it holds */
  int dropping;            /* posts were dropped since the last send */
  flight_t *flights;
  long next_id;
  ev_timer pace, renew;
};

static void post_free(post_t *p) {
  for (size_t i = 0; i < p->n; i++) {
    free((char *)p->points[i].stream);
    free((char *)p->points[i].str);
  }
  free(p->points);
  free(p);
}

/* Calls every post's done and frees them. */
static void posts_done(post_t *p, const char *err, int code) {
  while (p) {
    post_t *next = p->next;
    if (p->done) p->done(p->arg, err, code);
    post_free(p);
    p = next;
  }
}

static void topic(const onenet_t *o, const char *suffix, char *out, size_t size) {
  onenet_topic(o->product, o->device, suffix, out, size);
}

/* ---- the token, on paho's thread: reads only what never changes ---- */

static int password(void *arg, char *out, size_t cap) {
  onenet_t *o = arg;
  char res[160];
  long long et = o->expires ? o->expires : (long long)time(NULL) + o->lifetime;
  if (onenet_res(o->product, o->device, res, sizeof res) < 0) return -1;
  return onenet_token(res, et, o->method, o->key, out, cap) < 0 ? -1 : 0;
}

/* ---- sending ---- */

static void arm(onenet_t *o) {
  if (ev_is_active(&o->pace)) return;
  double wait = o->last_sent + o->interval - timer_now();
  ev_timer_set(&o->pace, wait > 0 ? wait : 0, 0);
  ev_timer_start(o->eng->loop, &o->pace);
}

static long take_id(onenet_t *o) {
  long id = o->next_id;
  o->next_id = o->next_id >= 2147483647L ? 1 : o->next_id + 1;
  return id;
}

/* Builds one message from the head of the queue: as many posts as fit
 * (points, size, and for Studio one sample per identifier). Returns the
 * number of posts taken, 0 if even the first does not fit. */
static size_t build(onenet_t *o, long id, char *out, size_t cap) {
  onenet_point_t pts[MAX_POINTS];
  size_t npts = 0, taken = 0;
  int last_ok = 0; /* out holds the message of the posts taken */
  for (post_t *p = o->queue; p && npts + p->n <= MAX_POINTS; p = p->next) {
    memcpy(pts + npts, p->points, p->n * sizeof *pts);
    int rc = o->thing ? onenet_thing_post_build(id, pts, npts + p->n, out, cap)
                      : onenet_dp_build(id, pts, npts + p->n, out, cap);
    last_ok = rc > 0;
    if (!last_ok) break;
    npts += p->n;
    taken++;
  }
  /* The attempt that did not fit wrote over out: the posts taken again. */
  if (taken && !last_ok &&
      (o->thing ? onenet_thing_post_build(id, pts, npts, out, cap)
                : onenet_dp_build(id, pts, npts, out, cap)) <= 0)
    return 0;
  return taken;
}

/* Sends the head of the queue as one message. Only while connected: the
 * subscription to the replies is made on each connection, and a message
 * queued in paho before it would go out first and its reply be missed.
 * With `closing`, the posts go to paho anyway (kept in the state
 * directory for the next run) and nothing is re-armed. */
static void flush(onenet_t *o, int closing) {
  if (!o->queue || (!closing && !mqtt_is_connected(o->mq))) return;
  static char msg[MAX_MESSAGE];
  long id = take_id(o);
  size_t taken = build(o, id, msg, sizeof msg);
  if (taken == 0) {
    /* Only a post that is too big for a message alone: refuse it. */
    post_t *p = o->queue;
    o->queue = p->next;
    if (!o->queue) o->queue_tail = NULL;
    p->next = NULL;
    o->queued--;
    posts_done(p, "too many points, or too much data, for one message", 0);
    if (!closing) arm(o);
    return;
  }
  flight_t *f = mem_calloc(1, sizeof *f);
  f->id = id;
  f->posts = o->queue;
  post_t *last = o->queue;
  for (size_t i = 1; i < taken; i++) last = last->next;
  o->queue = last->next;
  if (!o->queue) o->queue_tail = NULL;
  last->next = NULL;
  o->queued -= (long)taken;
  o->dropping = 0;
  char t[256], err[256];
  topic(o, o->thing ? "thing/property/post" : "dp/post/json", t, sizeof t);
  if (mqtt_publish(o->mq, t, msg, strlen(msg), 1, 0, NULL, NULL, err, sizeof err) != 0) {
    log_warn(WHERE, "%s/%s: cannot post: %s", o->product, o->device, err);
    posts_done(f->posts, err, 0);
    free(f);
  } else {
    f->sent_at = mqtt_is_connected(o->mq) ? timer_now() : 0;
    f->next = o->flights;
    o->flights = f;
  }
  o->last_sent = timer_now();
  if (!closing && (o->queue || o->flights)) arm(o);
}

/* The pace timer also ends flights that waited too long for a reply. */
static void on_pace(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  onenet_t *o = w->data;
  double now = timer_now();
  for (flight_t **pp = &o->flights; *pp;) {
    flight_t *f = *pp;
    if (f->sent_at > 0 && now - f->sent_at > REPLY_TIMEOUT) {
      *pp = f->next;
      char why[96];
      snprintf(why, sizeof why, "no reply from OneNET within %.0f s", REPLY_TIMEOUT);
      posts_done(f->posts, why, 0);
      free(f);
    } else {
      pp = &f->next;
    }
  }
  flush(o, 0);
  if (!ev_is_active(&o->pace) && o->flights) {
    ev_timer_set(&o->pace, 1.0, 0);
    ev_timer_start(o->eng->loop, &o->pace);
  }
}

static void replied(onenet_t *o, long id, const char *err, int code) {
  for (flight_t **pp = &o->flights; *pp; pp = &(*pp)->next) {
    flight_t *f = *pp;
    if (f->id != id) continue;
    *pp = f->next;
    if (err)
      log_warn(WHERE, "%s/%s: post %ld rejected: %s (code %d)", o->product, o->device, id,
               err, code);
    posts_done(f->posts, err, code);
    free(f);
    return;
  }
  log_debug(WHERE,
            "%s/%s: a reply for post %ld, which is not waiting (an earlier run's?)",
            o->product, o->device, id);
}

/* ---- MQTT events ---- */

static void on_connected(void *arg, int reconnect) {
  onenet_t *o = arg;
  (void)reconnect;
  double now = timer_now();
  for (flight_t *f = o->flights; f; f = f->next) f->sent_at = now;
  if (!o->expires) {
    /* Re-sign before the token runs out: a minute early. */
    double renew = (double)o->lifetime - 60;
    ev_timer_stop(o->eng->loop, &o->renew);
    ev_timer_set(&o->renew, renew > 1 ? renew : 1, 0);
    ev_timer_start(o->eng->loop, &o->renew);
  }
  if (o->ev.connected) o->ev.connected(o->arg);
  if (o->queue || o->flights) arm(o);
}

static void on_disconnected(void *arg, const char *why) {
  onenet_t *o = arg;
  for (flight_t *f = o->flights; f; f = f->next) f->sent_at = 0;
  if (o->ev.disconnected) o->ev.disconnected(o->arg, why);
}

static void on_renew(struct ev_loop *loop, ev_timer *w, int revents) {
  (void)loop;
  (void)revents;
  mqtt_reconnect(((onenet_t *)w->data)->mq);
}

static void on_message(void *arg, const char *t, const void *payload, size_t len, int qos,
                       int retained) {
  (void)qos;
  (void)retained;
  onenet_t *o = arg;
  const char *rest = onenet_topic_rest(t, o->product, o->device);
  if (!rest) return;
  if (!o->thing) {
    int acc = !strcmp(rest, "dp/post/json/accepted");
    if (acc || !strcmp(rest, "dp/post/json/rejected")) {
      onenet_reply_t r;
      if (onenet_dp_reply_parse(payload, len, acc, &r) != ONENET_OK) {
        log_warn(WHERE, "%s/%s: a reply on %s that is not JSON", o->product, o->device,
                 rest);
        return;
      }
      replied(o, r.id, acc ? NULL : (*r.err_msg ? r.err_msg : "rejected"), r.err_code);
    } else if (!strncmp(rest, "cmd/request/", 12) && rest[12]) {
      if (o->ev.command) o->ev.command(o->arg, rest + 12, payload, len);
    }
    return;
  }
  onenet_thing_msg_t m;
  if (!strcmp(rest, "thing/property/post/reply")) {
    if (onenet_thing_parse(payload, len, &m) != ONENET_OK) return;
    char *end;
    long id = strtol(m.id, &end, 10);
    replied(o, *end ? -1 : id, m.code == 200 ? NULL : (*m.msg ? m.msg : "rejected"),
            m.code);
    free(m.params);
  } else if (!strcmp(rest, "thing/property/set") ||
             (!strncmp(rest, "thing/service/", 14) && strlen(rest) > 21 &&
              !strcmp(rest + strlen(rest) - 7, "/invoke"))) {
    if (onenet_thing_parse(payload, len, &m) != ONENET_OK) return;
    char service[128] = "";
    if (!strncmp(rest, "thing/service/", 14))
      snprintf(service, sizeof service, "%.*s", (int)(strlen(rest) - 21), rest + 14);
    if (o->ev.thing) o->ev.thing(o->arg, m.id, *service ? service : NULL, m.params);
    free(m.params);
  }
}

/* ---- the API ---- */

onenet_t *onenet_open(engine_t *eng, const onenet_config_t *cfg,
                      const onenet_events_t *ev, void *arg, char *err, size_t errsize) {
  char res[160], token[ONENET_TOKEN_MAX];
  if (onenet_res(cfg->product, cfg->device, res, sizeof res) < 0 || !cfg->device) {
    snprintf(err, errsize, "product and device: %s", onenet_strerror(ONENET_ENAME));
    return NULL;
  }
  const char *method = cfg->method ? cfg->method : "sha256";
  int rc = onenet_token(res, 1, method, cfg->key, token, sizeof token);
  if (rc < 0) {
    snprintf(err, errsize, "%s", onenet_strerror(rc));
    return NULL;
  }
  if (cfg->keepalive && (cfg->keepalive < 10 || cfg->keepalive > 1800)) {
    snprintf(err, errsize, "keepalive must be 10..1800 s (the platform's range)");
    return NULL;
  }
  onenet_t *o = mem_calloc(1, sizeof *o);
  o->eng = eng;
  o->product = mem_strdup(cfg->product);
  o->device = mem_strdup(cfg->device);
  o->key = mem_strdup(cfg->key);
  o->method = mem_strdup(method);
  o->lifetime = cfg->lifetime > 0 ? cfg->lifetime : DEFAULT_LIFETIME;
  o->expires = cfg->expires;
  o->thing = cfg->thing;
  o->interval = cfg->interval > 0 ? cfg->interval : 1.0;
  o->max_queued = cfg->max_queued > 0 ? cfg->max_queued : DEFAULT_MAX_QUEUED;
  o->ev = ev ? *ev : (onenet_events_t){0};
  o->arg = arg;
  o->next_id = (long)(time(NULL) % 1000000) * 1000 + 1; /* apart from earlier runs' */
  ev_init(&o->pace, on_pace);
  o->pace.data = o;
  ev_init(&o->renew, on_renew);
  o->renew.data = o;

  char name[160];
  snprintf(name, sizeof name, "onenet %s/%s", cfg->product, cfg->device);
  mqtt_config_t mc = {
      .uri = cfg->uri     ? cfg->uri
             : cfg->thing ? ONENET_URI_THING
                          : ONENET_URI_DP,
      .client_id = cfg->device,
      .user = cfg->product,
      .password_fn = password,
      .password_arg = o,
      .keepalive = cfg->keepalive ? cfg->keepalive : 60,
      .clean_session = 1,
      .version = 3,
      .tls = {.ca = cfg->ca, .insecure = cfg->insecure},
      .state_dir = cfg->state_dir,
      .name = name,
  };
  static const mqtt_events_t mev = {on_connected, on_disconnected, on_message};
  o->mq = mqtt_open(eng, &mc, &mev, o, err, errsize);
  if (!o->mq) {
    onenet_close(o);
    return NULL;
  }
  char t[256], e[160];
  topic(o, o->thing ? "thing/#" : "dp/post/json/+", t, sizeof t);
  mqtt_subscribe(o->mq, t, 0, NULL, NULL, e, sizeof e);
  if (!o->thing) {
    topic(o, "cmd/request/+", t, sizeof t);
    mqtt_subscribe(o->mq, t, 0, NULL, NULL, e, sizeof e);
  }
  return o;
}

int onenet_post(onenet_t *o, const onenet_point_t *points, size_t n, onenet_done_fn done,
                void *arg, char *err, size_t errsize) {
  if (n == 0 || n > MAX_POINTS) {
    snprintf(err, errsize, n ? "at most %d points in one post" : "nothing to post",
             MAX_POINTS);
    return -1;
  }
  /* Checked now, so that a bad point fails its own post, not a batch. */
  static char probe[MAX_MESSAGE];
  int rc = o->thing ? onenet_thing_post_build(1, points, n, probe, sizeof probe)
                    : onenet_dp_build(1, points, n, probe, sizeof probe);
  if (rc < 0) {
    snprintf(err, errsize, "%s", onenet_strerror(rc));
    return -1;
  }
  post_t *p = mem_calloc(1, sizeof *p);
  p->points = mem_calloc(n, sizeof *p->points);
  for (size_t i = 0; i < n; i++) {
    p->points[i] = points[i];
    p->points[i].stream = mem_strdup(points[i].stream);
    p->points[i].str = points[i].str ? mem_strdup(points[i].str) : NULL;
  }
  p->n = n;
  p->done = done;
  p->arg = arg;
  if (o->queue_tail)
    o->queue_tail->next = p;
  else
    o->queue = p;
  o->queue_tail = p;
  if (++o->queued > o->max_queued) {
    /* Offline for long: the newest values matter more than the oldest. */
    post_t *old = o->queue;
    o->queue = old->next;
    old->next = NULL;
    o->queued--;
    if (!o->dropping)
      log_warn(WHERE,
               "%s/%s: more than %ld posts wait for the connection: dropping the oldest",
               o->product, o->device, o->max_queued);
    o->dropping = 1;
    posts_done(old, "dropped: too many posts waited for the connection (max_queued)", 0);
  }
  arm(o);
  return 0;
}

int onenet_command_reply(onenet_t *o, const char *cmdid, const void *payload,
                         size_t len) {
  char suffix[200], t[320], err[160];
  snprintf(suffix, sizeof suffix, "cmd/response/%s", cmdid);
  topic(o, suffix, t, sizeof t);
  return mqtt_publish(o->mq, t, payload, len, 0, 0, NULL, NULL, err, sizeof err);
}

int onenet_thing_reply(onenet_t *o, const char *id, const char *service, int code,
                       const char *msg) {
  char suffix[200], t[320], err[160];
  if (service)
    snprintf(suffix, sizeof suffix, "thing/service/%s/invoke_reply", service);
  else
    snprintf(suffix, sizeof suffix, "thing/property/set_reply");
  topic(o, suffix, t, sizeof t);
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "id", id ? id : "");
  cJSON_AddNumberToObject(r, "code", code);
  cJSON_AddStringToObject(r, "msg", msg ? msg : code == 200 ? "success" : "error");
  char *body = cJSON_PrintUnformatted(r);
  cJSON_Delete(r);
  if (!body) abort(); /* out of memory */
  int rc = mqtt_publish(o->mq, t, body, strlen(body), 0, 0, NULL, NULL, err, sizeof err);
  cJSON_free(body);
  return rc;
}

int onenet_connected(const onenet_t *o) {
  return o->mq && mqtt_is_connected(o->mq);
}

void onenet_close(onenet_t *o) {
  if (!o) return;
  ev_timer_stop(o->eng->loop, &o->pace);
  ev_timer_stop(o->eng->loop, &o->renew);
  while (o->queue && o->mq) flush(o, 1);
  mqtt_close(o->mq);
  o->mq = NULL;
  posts_done(o->queue, "closed", 0);
  while (o->flights) {
    flight_t *f = o->flights;
    o->flights = f->next;
    posts_done(f->posts,
               "closed before OneNET replied (the post is kept for the next run)", 0);
    free(f);
  }
  if (o->key) memset(o->key, 0, strlen(o->key));
  free(o->product);
  free(o->device);
  free(o->key);
  free(o->method);
  free(o);
}
